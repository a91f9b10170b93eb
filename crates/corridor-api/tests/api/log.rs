//! The public log over HTTP: the checkpoint, every hash tile and entry bundle, authenticated
//! by `corridor_log::tiles::verify_tiles` as any outside client would.

use std::borrow::Cow;
use std::collections::BTreeMap;

use corridor_log::checkpoint::parse_signed_checkpoint;
use corridor_log::note::{self, VerifierSet};
use corridor_log::tiles::{EntryBundles, TileId, TileSource, tiles_for_size, verify_tiles};

use crate::harness::{Setup, spawn_app, spawn_app_with};

/// Tiles fetched over HTTP before verification (verify_tiles reads synchronously).
#[derive(Debug)]
struct Fetched {
    tiles: BTreeMap<TileId, Vec<u8>>,
    bundles: BTreeMap<TileId, Vec<u8>>,
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` was not fetched")]
struct Missing(TileId);

impl TileSource for Fetched {
    type Error = Missing;
    fn tile(&self, tile: TileId) -> Result<Cow<'_, [u8]>, Missing> {
        self.tiles
            .get(&tile)
            .map(|bytes| Cow::Borrowed(bytes.as_slice()))
            .ok_or(Missing(tile))
    }
    fn entry_bundle(&self, tile: TileId) -> Result<Cow<'_, [u8]>, Missing> {
        self.bundles
            .get(&tile)
            .map(|bytes| Cow::Borrowed(bytes.as_slice()))
            .ok_or(Missing(tile))
    }
}

#[tokio::test]
async fn checkpoint_is_the_stored_signed_one() {
    // Proves GET /checkpoint serves the latest recorded note, verifiable with the log's key.
    let app = spawn_app().await;
    let reply = app.get("/checkpoint").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    let (size, root, stored, _) = app
        .store
        .latest_checkpoint()
        .await
        .expect("a read")
        .expect("a checkpoint");
    assert_eq!(reply.text(), stored);
    let verifiers = VerifierSet::new()
        .with(app.signer.verifier())
        .expect("a verifier set");
    note::open(&reply.body, &verifiers).expect("the log's signature verifies");
    let (_, body) = parse_signed_checkpoint(&reply.body).expect("a checkpoint");
    assert_eq!((body.size(), *body.root()), (size, root));
}

#[tokio::test]
async fn no_checkpoint_is_a_404_problem() {
    // Proves a log with no signed checkpoint answers /checkpoint and tiles with a 404 problem.
    let app = spawn_app_with(Setup {
        checkpoint: false,
        ..Setup::default()
    })
    .await;
    app.get("/checkpoint").await.problem(404, "no_checkpoint");
    app.get("/tile/0/000.p/1")
        .await
        .problem(404, "no_checkpoint");
}

#[tokio::test]
async fn every_tile_is_served_and_authenticates_against_the_checkpoint() {
    // Proves every tile and bundle of a 301-leaf log is served and verify_tiles accepts them against the signed root.
    let app = spawn_app_with(Setup {
        proposals: 300,
        ..Setup::default()
    })
    .await;
    let (size, root, _, _) = app
        .store
        .latest_checkpoint()
        .await
        .expect("a read")
        .expect("a checkpoint");
    assert!(size > 256, "the log must have a full tile: {size}");
    let mut fetched = Fetched {
        tiles: BTreeMap::new(),
        bundles: BTreeMap::new(),
    };
    for tile in tiles_for_size(size) {
        let reply = app.get(&format!("/{}", tile.path())).await;
        assert_eq!(
            reply.status,
            200,
            "{}: {}",
            tile.path(),
            String::from_utf8_lossy(&reply.body)
        );
        assert_eq!(reply.header("content-type"), "application/octet-stream");
        let cache = reply.header("cache-control");
        if tile.is_full() {
            assert!(
                cache.contains("immutable") && cache.contains("max-age=31536000"),
                "{}: {cache}",
                tile.path()
            );
        } else {
            assert!(!cache.contains("immutable"), "{}: {cache}", tile.path());
        }
        fetched.tiles.insert(tile, reply.body);
        if let Some(path) = tile.entries_path() {
            let reply = app.get(&format!("/{path}")).await;
            assert_eq!(reply.status, 200, "{path}");
            fetched.bundles.insert(tile, reply.body);
        }
    }
    let report =
        verify_tiles(&fetched, size, &root, EntryBundles::Verify).expect("the served log verifies");
    assert_eq!(report.entries, size);
    assert_eq!(report.tiles, tiles_for_size(size).count() as u64);
}

#[tokio::test]
async fn a_narrower_partial_tile_is_a_prefix_and_a_wider_one_does_not_exist() {
    // Proves partial widths are served as asked up to the checkpoint's width, and beyond it are 404 problems.
    let app = spawn_app().await;
    let (size, ..) = app
        .store
        .latest_checkpoint()
        .await
        .expect("a read")
        .expect("a checkpoint");
    let width = u16::try_from(size).expect("a small log");
    let whole = app.get(&format!("/tile/0/000.p/{width}")).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body.len(), 32 * usize::from(width));
    let narrower = app.get("/tile/0/000.p/1").await;
    assert_eq!(narrower.status, 200);
    assert_eq!(narrower.body[..], whole.body[..32]);
    app.get(&format!("/tile/0/000.p/{}", width + 1))
        .await
        .problem(404, "tile_not_found");
    app.get("/tile/0/000").await.problem(404, "tile_not_found");
    app.get("/tile/0/001.p/1")
        .await
        .problem(404, "tile_not_found");
    app.get("/tile/1/000.p/1")
        .await
        .problem(404, "tile_not_found");
    app.get(&format!("/tile/entries/000.p/{}", width + 1))
        .await
        .problem(404, "tile_not_found");
}

#[tokio::test]
async fn malformed_tile_paths_are_400_problems() {
    // Proves paths outside the tlog-tiles grammar are 400 problems naming what is wrong.
    let app = spawn_app().await;
    for path in [
        "/tile/0/0",
        "/tile/00/000",
        "/tile/0/000.p/0",
        "/tile/0/000.p/256",
        "/tile/0/x000/001",
        "/tile/64/000",
        "/tile/x/000",
    ] {
        let body = app.get(path).await.problem(400, "invalid_tile_path");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|detail| !detail.is_empty()),
            "{path}: {body}"
        );
    }
}

/// The body of a gzip reply, decompressed.
fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read as _;
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("a gzip body");
    plain
}

/// The strong ETag the server gives `bytes`: the first 128 bits of their SHA-256, quoted.
fn entity_tag(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// The served log's size, from the stored latest checkpoint.
async fn served_size(app: &crate::harness::TestApp) -> u64 {
    let (size, ..) = app
        .store
        .latest_checkpoint()
        .await
        .expect("a read")
        .expect("a checkpoint");
    size
}

#[tokio::test]
async fn entry_bundles_are_gzipped_when_the_client_accepts_gzip() {
    // Proves a bundle is gzip-compressed exactly when Accept-Encoding allows it (C2SP tlog-tiles, "Log entries": SHOULD be compressed), always with Vary.
    let app = spawn_app().await;
    let path = format!("/tile/entries/000.p/{}", served_size(&app).await);
    let plain = app.get(&path).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), "");
    assert_eq!(plain.header("vary"), "accept-encoding");
    assert_eq!(plain.header("content-type"), "application/octet-stream");
    assert_eq!(plain.header("etag"), entity_tag(&plain.body));
    for (accept, gzipped) in [
        ("gzip", true),
        ("br, GZIP;q=0.5", true),
        ("x-gzip", true),
        ("*", true),
        ("gzip, identity", true),
        ("identity", false),
        ("br", false),
        ("gzip;q=0", false),
        ("gzip; q=0.000, identity", false),
        ("*, gzip;q=0", false),
    ] {
        let reply = app
            .request("GET", &path, &[("accept-encoding", accept)], Vec::new())
            .await;
        assert_eq!(reply.status, 200, "{accept}");
        assert_eq!(reply.header("vary"), "accept-encoding", "{accept}");
        assert_eq!(reply.header("etag"), entity_tag(&reply.body), "{accept}");
        if gzipped {
            assert_eq!(reply.header("content-encoding"), "gzip", "{accept}");
            assert_eq!(gunzip(&reply.body), plain.body, "{accept}");
            assert_ne!(reply.header("etag"), plain.header("etag"), "{accept}");
        } else {
            assert_eq!(reply.header("content-encoding"), "", "{accept}");
            assert_eq!(reply.body, plain.body, "{accept}");
        }
    }
}

#[tokio::test]
async fn hash_tiles_are_sent_as_they_are() {
    // Proves a hash tile (SHA-256 outputs, which do not compress) is never gzipped and varies with nothing.
    let app = spawn_app().await;
    let path = format!("/tile/0/000.p/{}", served_size(&app).await);
    let reply = app
        .request("GET", &path, &[("accept-encoding", "gzip")], Vec::new())
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-encoding"), "");
    assert_eq!(reply.header("vary"), "");
    assert_eq!(reply.header("etag"), entity_tag(&reply.body));
}

#[tokio::test]
async fn etags_name_the_content_and_if_none_match_is_answered_304() {
    // Proves each representation has a stable strong ETag of its bytes, and If-None-Match (weakly compared, RFC 9110 § 13.1.2) gets a 304 with the caching headers.
    let app = spawn_app().await;
    let size = served_size(&app).await;
    assert!(size >= 2, "two partial widths are needed: {size}");
    let narrow = app.get("/tile/0/000.p/1").await;
    let wide = app.get("/tile/0/000.p/2").await;
    assert_ne!(narrow.header("etag"), wide.header("etag"));
    assert_eq!(
        app.get("/tile/0/000.p/1").await.header("etag"),
        narrow.header("etag")
    );

    let path = format!("/tile/entries/000.p/{size}");
    let plain = app.get(&path).await;
    let gzip = [("accept-encoding", "gzip")];
    let gzipped = app.request("GET", &path, &gzip, Vec::new()).await;
    let (plain_tag, gzip_tag) = (plain.header("etag"), gzipped.header("etag"));
    let weak = format!("\"other\", W/{plain_tag}");
    for (headers, status) in [
        (vec![("if-none-match", plain_tag)], 304),
        (vec![("if-none-match", weak.as_str())], 304),
        (vec![("if-none-match", "*")], 304),
        (vec![("if-none-match", "\"other\"")], 200),
        (vec![("if-none-match", gzip_tag)], 200),
        (vec![("if-none-match", gzip_tag), gzip[0]], 304),
        (vec![("if-none-match", plain_tag), gzip[0]], 200),
    ] {
        let reply = app.request("GET", &path, &headers, Vec::new()).await;
        assert_eq!(reply.status, status, "{headers:?}");
        if status == 304 {
            assert!(reply.body.is_empty(), "{headers:?}");
            assert!(!reply.header("etag").is_empty(), "{headers:?}");
            assert_eq!(reply.header("vary"), "accept-encoding", "{headers:?}");
            assert_eq!(
                reply.header("cache-control"),
                plain.header("cache-control"),
                "{headers:?}"
            );
        }
    }
}

//! What the public log's files are published as, beyond their bytes: the one gzip encoding of an
//! entry bundle, shared by `corridor serve` (sent to a client that accepts gzip) and
//! `corridor log export` (the `.gz` written beside each bundle), so that both give the same bytes.

use std::io::Write as _;

/// `bytes` compressed with gzip: deterministic for a given build (no file name, no time stamp
/// in the header), at the default level.
pub fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 2),
        flate2::Compression::default(),
    );
    encoder.write_all(bytes)?;
    encoder.finish()
}

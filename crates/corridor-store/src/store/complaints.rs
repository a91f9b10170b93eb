//! The complaint door's reads: a complaint by id or by its receipt's keyed hash, an agreement's
//! complaints for its monitoring body, a complaint's wrapped key. Only the complaint functions of
//! the application layer call these; no government path reads the complaint tables or streams
//! (docs/monitoring.md, "Confidential complaints").

use corridor_domain::terms::AgreementId;
use corridor_domain::{Complaint, ComplaintId, Snapshot, apply_to_snapshot};
use sqlx::Row;

use super::Store;
use super::rows::{load_streams, placeholders};
use crate::error::StoreError;

/// Most complaints one listing returns.
pub const COMPLAINTS_LISTED_MAX: usize = 1_000;

impl Store {
    /// A complaint, folded from its stream; `None` if it does not exist.
    pub async fn complaint(&self, id: ComplaintId) -> Result<Option<Complaint>, StoreError> {
        self.count_read();
        Ok(self.complaints(&[id.to_string()]).await?.pop())
    }

    /// The complaint whose receipt has keyed hash `receipt` (hex), if any.
    pub async fn complaint_by_receipt(
        &self,
        receipt: &str,
    ) -> Result<Option<Complaint>, StoreError> {
        self.count_read();
        let row = sqlx::query("SELECT complaint_id FROM complaints WHERE receipt = $1")
            .bind(receipt.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: String = row.try_get("complaint_id")?;
        Ok(self.complaints(&[id]).await?.pop())
    }

    /// The complaints under `agreements`, newest first, at most [`COMPLAINTS_LISTED_MAX`].
    pub async fn complaints_under(
        &self,
        agreements: &[AgreementId],
    ) -> Result<Vec<Complaint>, StoreError> {
        let mut complaints = self.every_complaint_under(agreements).await?;
        complaints.truncate(COMPLAINTS_LISTED_MAX);
        Ok(complaints)
    }

    /// Every complaint under `agreements`, newest first (for counting them: the joint
    /// committee's report in the monitoring body's version).
    pub async fn every_complaint_under(
        &self,
        agreements: &[AgreementId],
    ) -> Result<Vec<Complaint>, StoreError> {
        self.count_read();
        if agreements.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT complaint_id FROM complaints WHERE agreement IN ({}) ORDER BY complaint_id",
            placeholders(1, agreements.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for agreement in agreements {
            query = query.bind(agreement.to_string());
        }
        let ids: Vec<String> = query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row.try_get("complaint_id"))
            .collect::<Result<_, _>>()?;
        let mut complaints = self.complaints(&ids).await?;
        complaints.sort_by(|a, b| b.lodged_at.cmp(&a.lodged_at).then(a.id.cmp(&b.id)));
        Ok(complaints)
    }

    /// The wrapped key of a complaint, unless erased.
    pub async fn complaint_key(&self, id: ComplaintId) -> Result<Option<Vec<u8>>, StoreError> {
        self.count_read();
        let row = sqlx::query("SELECT wrapped_key FROM complaint_keys WHERE complaint_id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => Some(row.try_get("wrapped_key")?),
            None => None,
        })
    }

    async fn complaints(&self, streams: &[String]) -> Result<Vec<Complaint>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut snapshot = Snapshot::default();
        for stored in load_streams(&mut conn, streams).await? {
            apply_to_snapshot(&mut snapshot, &stored.event)?;
        }
        Ok(snapshot.complaints.into_values().collect())
    }
}

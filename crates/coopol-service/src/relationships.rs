//! Relationships between accounts: follows, blocks, mutes.

use coopol_db::entities::follows;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::ServiceError;

/// Ends follows in both directions between two accounts (a block, by either side).
pub async fn end_follows(db: &impl ConnectionTrait, a: i64, b: i64) -> Result<(), ServiceError> {
    let one_way = |from: i64, to: i64| {
        Condition::all().add(follows::Column::AccountId.eq(from)).add(follows::Column::TargetAccountId.eq(to))
    };
    follows::Entity::delete_many().filter(Condition::any().add(one_way(a, b)).add(one_way(b, a))).exec(db).await?;
    Ok(())
}

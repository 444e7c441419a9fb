//! Keyset pagination over UUIDv7 primary keys, which sort in creation order.
//! Pages never use OFFSET, so rows inserted between two pages neither repeat
//! nor go missing.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, Order, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};

/// Which page of a list to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Only rows after this key.
    pub after: Option<Uuid>,
    /// Only rows before this key.
    pub before: Option<Uuid>,
    /// How many rows at most.
    pub limit: u64,
    /// Take the `limit` rows nearest `before` (a `last` page) rather than
    /// those nearest `after`.
    pub from_end: bool,
    /// Newest first: "after" then means older.
    pub descending: bool,
}

/// A page of rows in ascending key order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

impl<T> Page<T> {
    /// Applies `f` to every row, keeping the page flags.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
        }
    }
}

/// Reads one page of `select`, keyed on `key` (a UUID primary key column).
pub async fn fetch_page<E, C, M>(
    db: &C,
    select: Select<E>,
    key: E::Column,
    page: PageRequest,
    context: &'static str,
) -> ServiceResult<Page<M>>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    let mut select = select;
    // In a descending list "after" a key means below it.
    if let Some(after) = page.after {
        select = select.filter(if page.descending {
            key.lt(after)
        } else {
            key.gt(after)
        });
    }
    if let Some(before) = page.before {
        select = select.filter(if page.descending {
            key.gt(before)
        } else {
            key.lt(before)
        });
    }
    // A `last` page reads from the far end and is reversed below.
    let order = if page.descending != page.from_end {
        Order::Desc
    } else {
        Order::Asc
    };
    let items = select
        .order_by(key, order)
        .limit(page.limit.saturating_add(1))
        .all(db)
        .await
        .map_err(ServiceError::database(context))?;
    Ok(into_page(items, page))
}

/// The page of `items`, read in the page's direction with one row more than
/// its limit (which tells whether there is more): the extra row dropped,
/// a `last` page put back in ascending order, and the flags set.
pub fn into_page<M>(mut items: Vec<M>, page: PageRequest) -> Page<M> {
    let has_more = u64::try_from(items.len()).unwrap_or(u64::MAX) > page.limit;
    if has_more {
        items.pop();
    }
    if page.from_end {
        items.reverse();
        Page {
            items,
            has_previous_page: has_more,
            has_next_page: page.before.is_some(),
        }
    } else {
        Page {
            items,
            has_previous_page: page.after.is_some(),
            has_next_page: has_more,
        }
    }
}

/// Counts the rows of `select`, for a connection's `totalCount`.
pub async fn count<E, C>(db: &C, select: Select<E>, context: &'static str) -> ServiceResult<u64>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    use sea_orm::PaginatorTrait;
    select
        .count(db)
        .await
        .map_err(ServiceError::database(context))
}

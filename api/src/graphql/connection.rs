//! Relay cursor connections over keyset pages.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use std::borrow::Cow;

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{
    ContextSelectionSet, Object, OutputType, Positioned, Result, ServerResult, Value,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::error::bad_input;
use crate::services::{Page, PageRequest, ServiceResult};

/// The page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

/// An opaque cursor: the row's key, base64url-encoded with a version tag so
/// that the format can change without breaking stored cursors silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub Uuid);

/// A cursor that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("not a valid cursor")]
pub struct InvalidCursor;

impl CursorType for Cursor {
    type Error = InvalidCursor;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| InvalidCursor)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| InvalidCursor)?;
        let key = text.strip_prefix("k1:").ok_or(InvalidCursor)?;
        Uuid::parse_str(key).map(Cursor).map_err(|_| InvalidCursor)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("k1:{}", self.0))
    }
}

/// The standard pagination arguments of a connection field, checked.
pub fn page_request(
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> Result<PageRequest> {
    let decode = |name: &str, raw: Option<String>| -> Result<Option<Uuid>> {
        raw.map(|s| Cursor::decode_cursor(&s).map(|c| c.0))
            .transpose()
            .map_err(|e| bad_input(name, e.to_string()))
    };
    let check = |name: &str, size: i32| -> Result<u64> {
        if (0..=MAX_PAGE_SIZE).contains(&size) {
            Ok(u64::try_from(size).unwrap_or(0))
        } else {
            Err(bad_input(
                name,
                format!("must be between 0 and {MAX_PAGE_SIZE}"),
            ))
        }
    };
    let (limit, from_end) = match (first, last) {
        (Some(_), Some(_)) => {
            return Err(bad_input("first", "give either first or last, not both"));
        }
        (Some(first), None) => (check("first", first)?, false),
        (None, Some(last)) => (check("last", last)?, true),
        (None, None) => (check("first", DEFAULT_PAGE_SIZE)?, false),
    };
    Ok(PageRequest {
        after: decode("after", after)?,
        before: decode("before", before)?,
        limit,
        from_end,
        descending: false,
    })
}

/// The cost of a connection field for the query-complexity limit: its
/// selection's cost times the page size asked for, as GitHub and Shopify
/// count it, so that a wide page of deep nodes costs what it will cost.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    usize::try_from(size)
        .unwrap_or(1)
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

/// Which way a list runs.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Oldest first.
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

/// What a list of participants or placements is ordered by.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrderField {
    /// When the item was created.
    #[default]
    CreatedAt,
}

/// The order of a list: a field and a direction.
#[derive(async_graphql::InputObject, Debug, Clone, Copy, Default)]
pub struct ListOrder {
    /// What to order by.
    #[graphql(default)]
    pub field: ListOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl ListOrder {
    /// Applies the order to a page request.
    pub fn apply(order: Option<ListOrder>, page: PageRequest) -> PageRequest {
        let descending = order.is_some_and(|o| o.direction == OrderDirection::Desc);
        PageRequest { descending, ..page }
    }
}

type CountFuture = Pin<Box<dyn Future<Output = ServiceResult<u64>> + Send>>;

/// Fields every connection has besides edges and page info. The count runs
/// only when a client asks for `totalCount`.
pub struct ConnectionFields {
    count: Arc<dyn Fn() -> CountFuture + Send + Sync>,
}

#[Object]
impl ConnectionFields {
    /// How many items the whole list has, across all pages.
    async fn total_count(&self) -> Result<u64> {
        Ok((self.count)().await?)
    }
}

type Inner<T> = Connection<Cursor, T, ConnectionFields>;

/// A connection of `T`: async-graphql's Relay connection, with descriptions
/// on its connection and edge types (which the library leaves empty), so
/// that every type of the schema is documented for clients.
pub struct Paged<T: OutputType>(Inner<T>);

impl<T: OutputType> OutputType for Paged<T> {
    fn type_name() -> Cow<'static, str> {
        <Inner<T> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        let name = <Inner<T> as OutputType>::create_type_info(registry);
        let node = T::type_name();
        describe(
            registry,
            &Self::type_name(),
            format!(
                "A page of `{node}` items: `edges` (each with its cursor) or `nodes`, `pageInfo` to page forward and back, and `totalCount` of the whole list."
            ),
        );
        describe(
            registry,
            &format!("{node}Edge"),
            format!("One `{node}` in a page, with the cursor to page from it."),
        );
        name
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        self.0.resolve(ctx, field).await
    }
}

/// Sets the description of an object type the library registered without one.
fn describe(registry: &mut Registry, name: &str, text: String) {
    if let Some(MetaType::Object { description, .. }) = registry.types.get_mut(name)
        && description.is_none()
    {
        *description = Some(text);
    }
}

/// Builds a connection from a page of rows, their key, and a way to count
/// the whole list.
pub fn connection<M, T, F>(
    page: Page<M>,
    key: impl Fn(&M) -> Uuid,
    node: impl Fn(M) -> T,
    count: F,
) -> Paged<T>
where
    T: OutputType,
    F: Fn() -> CountFuture + Send + Sync + 'static,
{
    let mut connection = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        ConnectionFields {
            count: Arc::new(count),
        },
    );
    connection.edges.extend(
        page.items
            .into_iter()
            .map(|row| Edge::new(Cursor(key(&row)), node(row))),
    );
    Paged(connection)
}

/// The `totalCount` of a [`connection`]: `count` run on its own copy of
/// `state` (the database, and the caller and filter the list used) each time
/// a client asks for it.
pub fn counted<S, F, Fut>(state: S, count: F) -> impl Fn() -> CountFuture + Send + Sync + 'static
where
    S: Clone + Send + Sync + 'static,
    F: Fn(S) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ServiceResult<u64>> + Send + 'static,
{
    move || Box::pin(count(state.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let cursor = Cursor(Uuid::now_v7());
        assert_eq!(
            Cursor::decode_cursor(&cursor.encode_cursor()).ok(),
            Some(cursor)
        );
    }

    #[test]
    fn page_size_is_bounded_and_exclusive() {
        assert!(page_request(None, None, Some(MAX_PAGE_SIZE), None).is_ok());
        assert!(page_request(None, None, Some(MAX_PAGE_SIZE + 1), None).is_err());
        assert!(page_request(None, None, Some(-1), None).is_err());
        assert!(page_request(None, None, Some(1), Some(1)).is_err());
        assert!(page_request(Some("bm9wZQ".into()), None, None, None).is_err());
    }
}

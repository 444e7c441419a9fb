//! Who is calling.

use async_graphql::{Context, Object, Result};

use crate::graphql::context::caller;
use crate::graphql::guards::Require;
use crate::graphql::types::Viewer;

/// Who is calling.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The caller: subject, role, organisation and the scopes in force.
    /// Requires a token.
    #[graphql(guard = "Require::authenticated()")]
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        Ok(Viewer(caller(ctx)?.clone()))
    }
}

//! An established GraphQL client, `graphql_client`, whose types are
//! generated from the committed `schema.graphql`, pages through a list: the
//! contract works for clients that check it at compile time.

use std::collections::BTreeSet;

use graphql_client::{GraphQLQuery, Response};

use crate::helpers::spawn_app;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/api/queries/participants_page.graphql",
    response_derives = "Debug"
)]
struct ParticipantsPage;

#[tokio::test]
async fn a_typed_client_pages_through_participants() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let mut after: Option<String> = None;
    let mut seen = BTreeSet::new();
    let mut pages = 0;
    let total = loop {
        let request = ParticipantsPage::build_query(participants_page::Variables {
            first: 5,
            after: after.clone(),
        });
        let response: Response<participants_page::ResponseData> = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&token)
            .json(&request)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("a response the generated types accept");
        assert!(response.errors.is_none(), "{:?}", response.errors);
        let page = response.data.expect("data").participants;
        pages += 1;
        for edge in &page.edges {
            assert!(
                seen.insert(edge.node.id.clone()),
                "{} came twice",
                edge.node.id
            );
        }
        if !page.page_info.has_next_page {
            break page.total_count;
        }
        after = page.page_info.end_cursor;
    };
    assert_eq!(seen.len() as i64, total);
    assert_eq!(pages, (total + 4) / 5);
}

//! A database outage and the recovery from it, with a TCP proxy the test
//! controls between the API and PostgreSQL (the shared server is never
//! stopped).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

use crate::helpers::spawn_app;

/// Forwards 127.0.0.1:<port> to PostgreSQL until cut.
struct Proxy {
    port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let proxy = Self {
            port,
            target: target.to_owned(),
            tasks: Arc::default(),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let (target, tasks) = (self.target.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().expect("lock").push(pipe.abort_handle());
            }
        });
        self.tasks.lock().expect("lock").push(accept.abort_handle());
    }

    /// Closes the listener and every connection: the database is gone.
    fn cut(&self) {
        for task in self.tasks.lock().expect("lock").drain(..) {
            task.abort();
        }
    }

    /// Listens again on the same port: the database is back.
    async fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("rebind");
        self.serve(listener);
    }
}

async fn ask(client: &reqwest::Client, address: &str) -> Value {
    client
        .post(format!("{address}/graphql"))
        .timeout(Duration::from_secs(20))
        .json(&json!({ "query": "{ partnerOrganisations { totalCount } }" }))
        .send()
        .await
        .expect("an answer, not a hang")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn during_an_outage_requests_are_service_unavailable_and_the_service_recovers_by_itself() {
    let app = spawn_app().await;
    if !app.on_postgres() {
        eprintln!("the outage is simulated on PostgreSQL; runs in the PostgreSQL pass");
        return;
    }
    let direct = app.database.settings().url;
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let proxied = direct.replacen("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port), 1);
    assert_ne!(proxied, direct, "the URL goes through the proxy");
    let (address, handle) = app.instance_on(&proxied).await;
    let client = reqwest::Client::new();

    let body = ask(&client, &address).await;
    assert!(
        body["data"]["partnerOrganisations"]["totalCount"]
            .as_u64()
            .is_some(),
        "{body}"
    );

    proxy.cut();
    let body = ask(&client, &address).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE",
        "{body}"
    );
    let ready = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);

    proxy.restore().await;
    let mut recovered = None;
    for _ in 0..40 {
        let body = ask(&client, &address).await;
        if body.get("errors").is_none() {
            recovered = Some(body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let body = recovered.expect("the service recovers once the database is back");
    assert!(
        body["data"]["partnerOrganisations"]["totalCount"]
            .as_u64()
            .is_some()
    );
    handle.stop(true).await;
}

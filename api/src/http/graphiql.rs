//! GraphiQL, the in-browser IDE, served whole from the binary.
//!
//! The page and every file it loads come from this server: pinned
//! production builds of React and GraphiQL (see `api/assets/graphiql/`,
//! whose `fetch.sh` re-fetches and checks them) and a small start script of
//! our own. So GraphiQL works offline and behind a firewall, and the page
//! can carry a Content-Security-Policy that allows this origin only.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The page's Content-Security-Policy, less `style-src`, which carries each
/// response's nonce. Scripts come from this origin only: the start script
/// is a file, not inline. GraphiQL's CSS embeds its fonts and a few icons
/// as `data:` URLs. `connect-src 'self'` covers the same-origin WebSocket
/// of subscriptions (CSP Level 3 lets 'self' match `ws:`/`wss:` of the
/// page's host and port). The global `frame-ancestors 'none'` is repeated:
/// the security-headers middleware leaves a response's own CSP as it is.
const PAGE_CSP: &str = "default-src 'self'; \
    script-src 'self'; \
    img-src 'self' data:; \
    font-src 'self' data:; \
    connect-src 'self'; \
    object-src 'none'; \
    base-uri 'none'; \
    form-action 'none'; \
    frame-ancestors 'none'";

/// The page, with `{nonce}` to fill. Asset URLs are relative: the page is
/// served at `/graphql` and `/graphiql`, and from both `graphiql/assets/…`
/// resolves to `/graphiql/assets/…`, also under a proxy's path prefix.
///
/// The nonce is for styles only. GraphiQL's dialogs add a `<style>`
/// element (react-remove-scroll-bar, to lock scrolling) and give it the
/// nonce found in `__webpack_nonce__`; the start script sets that from its
/// own tag, so those styles pass and no other inline style does.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portalen API · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="graphiql/assets/graphiql-4.1.2.min.css">
<link rel="stylesheet" href="graphiql/assets/portalen-graphiql.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript. Without it, send GraphQL requests as JSON with POST to /graphql.</noscript>
<script src="graphiql/assets/react-18.3.1.production.min.js"></script>
<script src="graphiql/assets/react-dom-18.3.1.production.min.js"></script>
<script src="graphiql/assets/graphiql-4.1.2.min.js"></script>
<script src="graphiql/assets/portalen-graphiql.js" nonce="{nonce}"></script>
</body>
</html>
"#;

/// How long a browser may keep an asset.
#[derive(Clone, Copy)]
enum Caching {
    /// The name carries the package version, so the content under it never
    /// changes: cache for a year without asking again.
    Immutable,
    /// Our own files change with the server under the same name: ask
    /// again on every load (they are small).
    Revalidate,
}

/// One file the page loads.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    caching: Caching,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file under `/graphiql/assets/`. Renaming one here means renaming
/// it in `PAGE`, in `api/assets/graphiql/` and in its `SHA256SUMS`.
const ASSETS: [Asset; 6] = [
    Asset {
        name: "react-18.3.1.production.min.js",
        content_type: JS,
        body: include_bytes!("../../assets/graphiql/react-18.3.1.production.min.js"),
        caching: Caching::Immutable,
    },
    Asset {
        name: "react-dom-18.3.1.production.min.js",
        content_type: JS,
        body: include_bytes!("../../assets/graphiql/react-dom-18.3.1.production.min.js"),
        caching: Caching::Immutable,
    },
    Asset {
        name: "graphiql-4.1.2.min.js",
        content_type: JS,
        body: include_bytes!("../../assets/graphiql/graphiql-4.1.2.min.js"),
        caching: Caching::Immutable,
    },
    Asset {
        name: "graphiql-4.1.2.min.css",
        content_type: CSS,
        body: include_bytes!("../../assets/graphiql/graphiql-4.1.2.min.css"),
        caching: Caching::Immutable,
    },
    Asset {
        name: "portalen-graphiql.js",
        content_type: JS,
        body: include_bytes!("../../assets/graphiql/portalen-graphiql.js"),
        caching: Caching::Revalidate,
    },
    Asset {
        name: "portalen-graphiql.css",
        content_type: CSS,
        body: include_bytes!("../../assets/graphiql/portalen-graphiql.css"),
        caching: Caching::Revalidate,
    },
];

/// Registers `GET /graphiql` and `GET /graphiql/assets/{file}`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/graphiql", web::get().to(page))
        .route("/graphiql/assets/{file}", web::get().to(asset));
}

/// The GraphiQL page, with its Content-Security-Policy.
pub async fn page() -> HttpResponse {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    // Base64 only: nothing in it needs escaping in HTML or in the header.
    let nonce = STANDARD.encode(bytes);
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        // A header value the builder refused would answer 500: fail closed.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("{PAGE_CSP}; style-src 'self' 'nonce-{nonce}'"),
        ))
        // A nonce is good for one response: never from a cache.
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(PAGE.replace("{nonce}", &nonce))
}

/// `GET /graphiql/assets/{file}`: one of the page's files, or 404.
async fn asset(file: web::Path<String>) -> HttpResponse {
    let Some(asset) = ASSETS.iter().find(|a| a.name == file.as_str()) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such GraphiQL asset");
    };
    let caching = match asset.caching {
        Caching::Immutable => "public, max-age=31536000, immutable",
        Caching::Revalidate => "no-cache",
    };
    HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static(caching)))
        .body(asset.body)
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    /// Every asset the page names is served, and every served asset is
    /// named by the page: a rename in one place only fails here.
    #[test]
    fn the_page_and_the_asset_table_agree() {
        let named: Vec<&str> = PAGE
            .split("graphiql/assets/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        let mut served: Vec<&str> = ASSETS.iter().map(|a| a.name).collect();
        let mut named_sorted = named.clone();
        named_sorted.sort_unstable();
        served.sort_unstable();
        assert_eq!(named_sorted, served);
    }

    /// Each response has its own nonce, the same in the policy and on
    /// the start script's tag; scripts are from this origin only.
    #[tokio::test]
    async fn each_page_has_its_own_style_nonce() -> anyhow::Result<()> {
        let mut nonces = Vec::new();
        for _ in 0..2 {
            let response = page().await;
            let csp = response
                .headers()
                .get(header::CONTENT_SECURITY_POLICY)
                .context("no CSP")?
                .to_str()?
                .to_owned();
            let body = actix_web::body::to_bytes(response.into_body())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let body = String::from_utf8(body.to_vec())?;
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .context("no nonce in the CSP")?
                .to_owned();
            assert!(nonce.len() >= 22, "{nonce}");
            assert!(body.contains(&format!("nonce=\"{nonce}\"")), "{body}");
            assert!(csp.contains("script-src 'self';"), "{csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
            assert!(!csp.contains("unsafe"), "{csp}");
            nonces.push(nonce);
        }
        assert_ne!(nonces[0], nonces[1]);
        Ok(())
    }

    /// Each asset with its media type and caching; an unknown name is 404.
    #[actix_web::test]
    async fn assets_are_served_with_type_and_caching() {
        use actix_web::{App, test};
        let app = test::init_service(App::new().configure(routes)).await;
        for asset in &ASSETS {
            let request = test::TestRequest::get()
                .uri(&format!("/graphiql/assets/{}", asset.name))
                .to_request();
            let response = test::call_service(&app, request).await;
            assert_eq!(response.status(), 200, "{}", asset.name);
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            assert_eq!(
                header(header::CONTENT_TYPE).as_deref(),
                Some(asset.content_type)
            );
            let caching = header(header::CACHE_CONTROL).unwrap_or_default();
            match asset.caching {
                Caching::Immutable => assert!(caching.contains("immutable"), "{caching}"),
                Caching::Revalidate => assert_eq!(caching, "no-cache"),
            }
            let body = test::read_body(response).await;
            assert_eq!(&body[..], asset.body, "{}", asset.name);
        }
        for missing in [
            "/graphiql/assets/nope.js",
            "/graphiql/assets/..%2FCargo.toml",
        ] {
            let request = test::TestRequest::get().uri(missing).to_request();
            let response = test::call_service(&app, request).await;
            assert_eq!(response.status(), 404, "{missing}");
        }
        let request = test::TestRequest::get().uri("/graphiql").to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), 200);
        assert!(
            response
                .headers()
                .contains_key(header::CONTENT_SECURITY_POLICY)
        );
    }

    #[test]
    fn assets_are_not_empty() {
        for asset in &ASSETS {
            assert!(!asset.body.is_empty(), "{}", asset.name);
        }
    }
}

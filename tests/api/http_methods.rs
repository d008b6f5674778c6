//! HTTP methods as RFC 9110 has them: `HEAD` on every `GET` route answers
//! as the `GET` would, without the body; a known path with a method it
//! does not take answers 405 with `Allow`; `OPTIONS` answers with `Allow`.
//! The routes come from the OpenAPI document, so a new one is covered.

use actix_web::http::Method;

use crate::common::fixtures;
use crate::common::{Backend, TestApp};

/// Every documented (method, path), the path's parameters filled with
/// values that exist or not, as it happens: what matters is that `HEAD`
/// and `GET` agree.
async fn documented(app: &TestApp) -> Vec<(String, String)> {
    let doc = app.open("/api/v1/openapi.json").await.json();
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            routes.push((method.to_uppercase(), path.clone()));
        }
    }
    routes
}

fn allow_of(response: &crate::common::Response) -> &str {
    response
        .headers
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Whether a documented path (`/members/{id}`) takes `url`.
fn matches(pattern: &str, url: &str) -> bool {
    let (pattern, url): (Vec<&str>, Vec<&str>) =
        (pattern.split('/').collect(), url.split('/').collect());
    pattern.len() == url.len()
        && pattern
            .iter()
            .zip(&url)
            .all(|(p, u)| p == u || (p.starts_with('{') && p.ends_with('}')))
}

fn filled(path: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str(id);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[actix_web::test]
async fn head_answers_on_every_get_route_as_get_does() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let token = fixture.secretariat.as_str();
    let mut checked = 0;
    let mut concrete: Vec<String> = documented(&app)
        .await
        .into_iter()
        .filter(|(method, _)| method == "GET")
        .flat_map(|(_, path)| [filled(&path, &meeting), filled(&path, "inconnu")])
        .collect();
    // Pages, assets and the documentation are not in the document.
    concrete.extend(
        [
            "/",
            "/connexion",
            "/tableau-de-bord",
            "/docs/",
            "/api/v1/openapi.json",
        ]
        .map(str::to_owned),
    );
    for path in concrete {
        let get = app.request(Method::GET, &path, Some(token), None).await;
        let head = app.request(Method::HEAD, &path, Some(token), None).await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert_eq!(head.content_type(), get.content_type(), "HEAD {path}");
        assert_ne!(head.status.as_u16(), 405, "HEAD {path}");
        checked += 1;
    }
    assert!(checked > 60, "{checked} routes");
    let ok = app
        .request(
            Method::HEAD,
            &format!("/api/v1/meetings/{meeting}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(ok.status.as_u16(), 200);
    assert!(ok.body.is_empty(), "no body to a HEAD");
}

#[actix_web::test]
async fn a_wrong_method_is_405_with_allow_and_options_lists_them() {
    let app = TestApp::new(Backend::Sqlite).await;
    let admin = app.admin().await;
    let routes = documented(&app).await;
    let mut by_path: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (method, path) in &routes {
        by_path
            .entry(path.clone())
            .or_default()
            .push(method.clone());
    }
    let mut refused = 0;
    for (path, methods) in &by_path {
        let url = filled(path, "0b8c1a52-5d6e-4f3a-9a77-1d1e2f3a4b5c");
        let options = app.request(Method::OPTIONS, &url, None, None).await;
        assert_eq!(options.status.as_u16(), 204, "OPTIONS {url}");
        let allow = allow_of(&options).to_owned();
        let allowed: Vec<&str> = allow.split(", ").collect();
        for method in methods {
            assert!(
                allowed.contains(&method.as_str()),
                "{method} in Allow of {path}: {allow}"
            );
        }
        assert_eq!(
            allowed.contains(&"HEAD"),
            methods.iter().any(|m| m == "GET" || m == "HEAD")
        );
        for wrong in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            // `/members/import` is also `/members/{id}` for a GET.
            let taken = routes
                .iter()
                .any(|(m, p)| m == wrong && p != path && matches(p, &url));
            if allowed.contains(&wrong) || taken {
                continue;
            }
            let response = app
                .request(wrong.parse().expect("method"), &url, Some(&admin), None)
                .await;
            let problem = response.assert_problem(405);
            assert_eq!(allow_of(&response), allow, "{wrong} {url}");
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("acceptées")
            );
            refused += 1;
        }
    }
    assert!(refused > 200, "{refused} wrong methods tried");

    // The pages too; an unknown path stays a 404.
    let page = app
        .request(Method::DELETE, "/tableau-de-bord", None, None)
        .await;
    page.assert_status(405);
    assert_eq!(Some(allow_of(&page)), Some("GET, HEAD, OPTIONS"));
    let sign_in = app.request(Method::OPTIONS, "/connexion", None, None).await;
    assert_eq!(Some(allow_of(&sign_in)), Some("GET, POST, HEAD, OPTIONS"));
    app.request(Method::PUT, "/nulle-part", None, None)
        .await
        .assert_status(404);
    app.request(Method::OPTIONS, "/api/v1/nulle-part", None, None)
        .await
        .assert_problem(404);
}

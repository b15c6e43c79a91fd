//! People end to end, on the embedded default and on Postgres + Kafka: an invitation emailed
//! through a real SMTP server (aiosmtpd), accepted, signing in with a session cookie and CSRF
//! token, roles enforced on every route of the access table, account tokens, the last owner,
//! removal ending access at once.

#![allow(clippy::unwrap_used)]

use keel_api::access::{role_grants, Access, ROUTES};
use keel_events::{Role, Scope};
use keel_tests::smtp::SmtpSink;
use keel_tests::{on_every_backend, spawn_app_with, Backend, Resp, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

/// The `keel_session` cookie a response sets, as a `Cookie` header value.
fn session_of(r: &Resp) -> String {
    let set = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("keel_session="))
        .unwrap_or_else(|| panic!("no session cookie: {r:?}"))
        .to_string();
    set.split(';').next().unwrap().to_string()
}

/// A signed-in person: their session cookie and CSRF token.
struct Person {
    user_id: String,
    cookie: String,
    csrf: String,
}

impl Person {
    fn of(r: &Resp) -> Person {
        Person {
            user_id: r.body["data"]["user"]["id"].as_str().unwrap().into(),
            cookie: session_of(r),
            csrf: r.body["data"]["csrf_token"].as_str().unwrap().into(),
        }
    }
}

/// A call made with a person's session cookie (and, for writes, their CSRF token).
fn as_person<'a>(app: &'a TestApp, method: Method, path: &str, p: &Person) -> keel_tests::Call<'a> {
    let write = method != Method::GET;
    let mut c = app
        .call(method, path)
        .no_token()
        .header("Cookie", &p.cookie);
    if write {
        c = c.header("X-CSRF-Token", &p.csrf);
    }
    c
}

/// The token of an invitation link.
fn token_in(text: &str) -> String {
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

async fn accept(app: &TestApp, token: &str, name: &str) -> Resp {
    app.post("/api/v1/invitations/accept")
        .no_token()
        .json(json!({"token": token, "name": name, "password": PASSWORD}))
        .send()
        .await
}

/// The operator invites `email` as `role` (no mail server: the link comes back) and they accept.
async fn join(app: &TestApp, ws: &str, email: &str, role: &str) -> Person {
    let r = app
        .post("/api/v1/invitations")
        .workspace(ws)
        .json(json!({"email": email, "role": role}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let url = r.body["data"]["invite_url"].as_str().unwrap().to_string();
    let r = accept(app, &token_in(&url), email).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    Person::of(&r)
}

async fn invited_emailed_accepted_signed_in_and_removed(b: Backend) {
    let smtp = SmtpSink::start().await;
    let url = smtp.url();
    let app = spawn_app_with(b, move |c| {
        c.smtp_url = Some(url);
        c.dev = true;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;

    // The operator invites the first owner; the link arrives by email, not in the answer.
    let r = app
        .post("/api/v1/invitations")
        .workspace(&ws)
        .json(json!({"email": "Olive@Example.com", "role": "owner"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["data"]["email"], "olive@example.com");
    assert_eq!(r.body["data"]["status"], "pending");
    assert_eq!(r.body["data"]["email_sent"], true);
    assert!(r.body["data"].get("invite_url").is_none(), "{r:?}");
    let mail = smtp.message_to("olive@example.com").await;
    assert!(mail["subject"].as_str().unwrap().contains("Acme"), "{mail}");
    let token = token_in(mail["body"].as_str().unwrap());
    assert!(token.starts_with("keel_inv_"), "{mail}");

    // A weak password or a missing name is refused, and the invitation still stands.
    let r = app
        .post("/api/v1/invitations/accept")
        .no_token()
        .json(json!({"token": token, "name": "Olive", "password": "password123"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["details"]["fields"][0]["field"], "password");
    let r = app
        .post("/api/v1/invitations/accept")
        .no_token()
        .json(json!({"token": token, "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // A forged token is not found.
    let r = accept(&app, "keel_inv_forged", "Olive").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");

    let r = accept(&app, &token, "Olive").await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let set = r.header("set-cookie").unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    assert!(
        !set.contains("Secure"),
        "KEEL_DEV: no Secure over plain http: {set}"
    );
    assert_eq!(r.body["data"]["workspaces"][0]["role"], "owner");
    let olive = Person::of(&r);
    // The link works once.
    let r = accept(&app, &token, "Olive").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::GONE, "invitation_closed"),
        "{r:?}"
    );

    let me = as_person(&app, Method::GET, "/api/v1/auth/me", &olive)
        .send()
        .await;
    assert_eq!(me.status, StatusCode::OK, "{me:?}");
    assert_eq!(me.body["data"]["role"], "owner");
    assert_eq!(me.body["data"]["workspace_id"], ws.as_str());
    assert_eq!(me.body["data"]["csrf_token"], olive.csrf.as_str());
    assert_eq!(
        me.body["data"]["email_verified"], true,
        "the invitation reached her mailbox"
    );

    // A cookie write without the CSRF token is refused and changes nothing.
    let r = app
        .post("/api/v1/invitations")
        .no_token()
        .header("Cookie", &olive.cookie)
        .json(json!({"email": "ann@example.com", "role": "analyst"}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "csrf_token_invalid"),
        "{r:?}"
    );
    let pending = as_person(
        &app,
        Method::GET,
        "/api/v1/invitations?status=pending",
        &olive,
    )
    .send()
    .await;
    assert_eq!(pending.body["meta"]["total_count"], 0, "{pending:?}");
    let r = as_person(&app, Method::POST, "/api/v1/invitations", &olive)
        .json(json!({"email": "ann@example.com", "role": "analyst"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let ann_invitation = r.body["data"]["id"].as_str().unwrap().to_string();
    // A pending duplicate is 409, as DataFast documents.
    let r = as_person(&app, Method::POST, "/api/v1/invitations", &olive)
        .json(json!({"email": "ANN@example.com", "role": "viewer"}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "invitation_pending"),
        "{r:?}"
    );
    // Resending sends a new link; the old one stops working.
    let first = token_in(
        smtp.message_to("ann@example.com").await["body"]
            .as_str()
            .unwrap(),
    );
    let r = as_person(
        &app,
        Method::POST,
        &format!("/api/v1/invitations/{ann_invitation}/resend"),
        &olive,
    )
    .send()
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let second = loop {
        let t = token_in(
            smtp.message_to("ann@example.com").await["body"]
                .as_str()
                .unwrap(),
        );
        if t != first || std::time::Instant::now() > deadline {
            break t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_ne!(first, second);
    let r = accept(&app, &first, "Ann").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = accept(&app, &second, "Ann").await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let ann = Person::of(&r);

    // Signing in: a wrong password and an unknown address get the same answer.
    let wrong = app
        .post("/api/v1/auth/login")
        .no_token()
        .json(json!({"email": "ann@example.com", "password": "not the password"}))
        .send()
        .await;
    let unknown = app
        .post("/api/v1/auth/login")
        .no_token()
        .json(json!({"email": "nobody@example.com", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{wrong:?}");
    assert_eq!(
        (wrong.status, wrong.code(), &wrong.body["error"]["message"]),
        (
            unknown.status,
            unknown.code(),
            &unknown.body["error"]["message"]
        )
    );
    let r = app
        .post("/api/v1/auth/login")
        .no_token()
        .json(json!({"email": "Ann@Example.com", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let ann2 = Person::of(&r);
    assert_ne!(ann.cookie, ann2.cookie);

    // An analyst reads analytics and the team but manages neither members nor keys.
    let r = as_person(&app, Method::GET, "/api/v1/members", &ann2)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["meta"]["total_count"], 2);
    let r = as_person(&app, Method::GET, "/api/v1/keys", &ann2)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let r = as_person(&app, Method::POST, "/api/v1/invitations", &ann2)
        .json(json!({"email": "eve@example.com", "role": "owner"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");

    // An account token acts as its person, with the same role.
    let r = as_person(&app, Method::POST, "/api/v1/account-tokens", &ann2)
        .json(json!({"name": "laptop"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let token = r.body["data"]["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("keel_acct_"));
    let r = app.get("/api/v1/auth/me").token(&token).send().await;
    assert_eq!(r.body["data"]["via"], "account_token", "{r:?}");
    assert_eq!(r.body["data"]["role"], "analyst");
    let r = app.get("/api/v1/members").token(&token).send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app.get("/api/v1/keys").token(&token).send().await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let listed = as_person(&app, Method::GET, "/api/v1/account-tokens", &ann2)
        .send()
        .await;
    assert_eq!(listed.body["meta"]["total_count"], 1, "{listed:?}");
    assert!(listed.body["data"][0].get("token").is_none());

    // The last owner can neither step down nor leave; an owner promotes Ann first.
    let olive_path = format!("/api/v1/members/{}", olive.user_id);
    let r = as_person(&app, Method::PATCH, &olive_path, &olive)
        .json(json!({"role": "admin"}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "last_owner"),
        "{r:?}"
    );
    let r = as_person(&app, Method::DELETE, &olive_path, &olive)
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "last_owner"),
        "{r:?}"
    );
    let ann_path = format!("/api/v1/members/{}", ann.user_id);
    let r = as_person(&app, Method::PATCH, &ann_path, &olive)
        .json(json!({"role": "admin"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["data"]["role"], "admin");
    // An admin may not touch an owner.
    let r = as_person(&app, Method::PATCH, &olive_path, &ann2)
        .json(json!({"role": "viewer"}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "owner_required"),
        "{r:?}"
    );

    // Removed: the very next request of each of Ann's sessions and tokens is 401.
    let r = as_person(&app, Method::DELETE, &ann_path, &olive)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    for r in [
        as_person(&app, Method::GET, "/api/v1/auth/me", &ann)
            .send()
            .await,
        as_person(&app, Method::GET, "/api/v1/members", &ann2)
            .send()
            .await,
        app.get("/api/v1/members").token(&token).send().await,
    ] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    }

    // Signing out ends the session: its cookie is cleared and no longer works.
    let r = as_person(&app, Method::POST, "/api/v1/auth/logout", &olive)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    assert!(
        r.header("set-cookie").unwrap().contains("keel_session=;"),
        "{r:?}"
    );
    let r = as_person(&app, Method::GET, "/api/v1/auth/me", &olive)
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "session_expired"),
        "{r:?}"
    );

    // The audit log names the person behind each change.
    let audit = app
        .get("/api/v1/audit/events?limit=100")
        .workspace(&ws)
        .send()
        .await;
    let events = audit.body["data"].as_array().unwrap();
    let by = |t: &str| {
        events
            .iter()
            .filter(|e| e["event_type"] == t)
            .map(|e| e["actor"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        by("member.removed").contains(&format!("user:{}", olive.user_id)),
        "{audit:?}"
    );
    assert!(
        by("account_token.created").contains(&format!("user:{}", ann.user_id)),
        "{audit:?}"
    );
    assert!(!audit.body.to_string().contains("token_hash"), "{audit:?}");
    // Sign-ins and failed sign-ins, with the person and the address they came from.
    let signed = events
        .iter()
        .find(|e| {
            e["event_type"] == "user.signed_in" && e["data"]["user_id"] == ann.user_id.as_str()
        })
        .unwrap_or_else(|| panic!("{audit:?}"));
    assert_eq!(signed["client_ip"], "127.0.0.1", "{signed}");
    assert_eq!(signed["actor"], format!("user:{}", ann.user_id).as_str());
    assert!(
        by("user.sign_in_failed").contains(&format!("user:{}", ann.user_id)),
        "{audit:?}"
    );
    let r = app
        .get(&format!(
            "/api/v1/audit/events?actor=user:{}",
            olive.user_id
        ))
        .workspace(&ws)
        .send()
        .await;
    let rows = r.body["data"].as_array().unwrap();
    assert!(!rows.is_empty(), "{r:?}");
    assert!(
        rows.iter()
            .all(|e| e["actor"] == format!("user:{}", olive.user_id).as_str()),
        "{r:?}"
    );
    app.stop().await;
}

async fn roles_hold_on_every_route_and_members_stay_in_their_workspace(b: Backend) {
    let app = spawn_app_with(b, |c| c.dev = true).await;
    let ws = app.create_workspace("Acme", "enterprise").await;
    let other = app.create_workspace("Other", "enterprise").await;
    let mut tried = 0;
    for role in [Role::Admin, Role::Analyst, Role::Auditor, Role::Viewer] {
        let p = join(&app, &ws, &format!("{role}@example.com"), role.as_str()).await;
        for rule in ROUTES {
            let method = Method::from_bytes(rule.method.as_bytes()).unwrap();
            if method == Method::OPTIONS {
                continue;
            }
            let path = rule
                .path
                .split('/')
                .map(|s| {
                    if s.starts_with('{') {
                        uuid::Uuid::now_v7().to_string()
                    } else {
                        s.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let mut call = as_person(&app, method.clone(), &path, &p);
            if [Method::POST, Method::PATCH, Method::PUT].contains(&method) {
                call = call.json(json!({}));
            }
            // Never sign this person out halfway through.
            if rule.path == "/api/v1/auth/logout" {
                continue;
            }
            let r = call.send().await;
            let by_role = r.status == StatusCode::FORBIDDEN
                && r.body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("your role") || m.contains("only the operator"));
            let allowed = match rule.access {
                Access::Public | Access::Optional | Access::Person => true,
                Access::Operator => false,
                Access::Scope(s) => role_grants(role, &Scope::parse(s).unwrap()),
            };
            assert_eq!(
                !by_role, allowed,
                "{role} {} {}: {r:?}",
                rule.method, rule.path
            );
            assert_ne!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{role} {}: {r:?}",
                rule.path
            );
            assert!(
                r.status.as_u16() < 500,
                "{role} {} {}: {r:?}",
                rule.method,
                rule.path
            );
            tried += 1;
            // Naming a workspace they do not belong to is 404 on every workspace route.
            if let Access::Scope(_) = rule.access {
                let mut call = as_person(&app, method.clone(), &path, &p).workspace(&other);
                if [Method::POST, Method::PATCH, Method::PUT].contains(&method) {
                    call = call.json(json!({}));
                }
                let r = call.send().await;
                assert_eq!(
                    (r.status, r.code()),
                    (StatusCode::NOT_FOUND, "not_found"),
                    "{role} in another workspace: {} {}: {r:?}",
                    rule.method,
                    rule.path
                );
            }
        }
    }
    assert!(tried > 400, "{tried}");
    // Nothing was written to the other workspace.
    let r = app
        .get("/api/v1/audit/events")
        .workspace(&other)
        .send()
        .await;
    let types: Vec<_> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, vec!["workspace.created"], "{r:?}");
    app.stop().await;
}

async fn invitations_expire_and_sessions_end_when_idle(b: Backend) {
    let clock = keel_infra::clock::Clock::manual(chrono::Utc::now());
    let c2 = clock.clone();
    let app = spawn_app_with(b, move |c| {
        c.dev = true;
        c.clock = c2;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;
    let owner = join(&app, &ws, "olive@example.com", "owner").await;
    let r = app
        .post("/api/v1/invitations")
        .workspace(&ws)
        .json(json!({"email": "late@example.com", "role": "viewer", "expires_in_days": 1}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let token = token_in(r.body["data"]["invite_url"].as_str().unwrap());
    clock.advance(chrono::Duration::hours(25));
    let r = accept(&app, &token, "Late").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::GONE, "invitation_closed"),
        "{r:?}"
    );
    let r = app
        .get("/api/v1/invitations?status=expired")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["data"][0]["id"], id.as_str(), "{r:?}");
    // The address may be invited again once the first invitation has expired; a revoked link
    // is closed.
    let r = app
        .post(&format!("/api/v1/invitations/{id}/resend"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let token = token_in(r.body["data"]["invite_url"].as_str().unwrap());
    let r = app
        .delete(&format!("/api/v1/invitations/{id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = accept(&app, &token, "Late").await;
    assert_eq!(r.status, StatusCode::GONE, "{r:?}");
    // A session unused for longer than its idle time has ended.
    let r = as_person(&app, Method::GET, "/api/v1/auth/me", &owner)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    clock.advance(keel_api::people::SESSION_IDLE + chrono::Duration::seconds(1));
    let r = as_person(&app, Method::GET, "/api/v1/auth/me", &owner)
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "session_expired"),
        "{r:?}"
    );
    app.stop().await;
}

async fn the_first_owner_comes_from_the_command_line(b: Backend) {
    let app = spawn_app_with(b, |c| c.dev = true).await;
    let store = app.store();
    let weak = keel_api::people::create_user(
        &store,
        "first@example.com",
        "First",
        "password123".into(),
        None,
        "Acme",
        Role::Owner,
    )
    .await;
    assert!(weak.is_err(), "a weak password is refused");
    // A fresh install: the first owner gets a workspace of their own.
    let made = keel_api::people::create_user(
        &store,
        "First@Example.com",
        "First",
        PASSWORD.into(),
        None,
        "Acme",
        Role::Owner,
    )
    .await
    .unwrap();
    assert!(made.new_workspace && !made.existed);
    let r = app
        .post("/api/v1/auth/login")
        .no_token()
        .json(json!({"email": "first@example.com", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let first = Person::of(&r);
    let me = as_person(&app, Method::GET, "/api/v1/auth/me", &first)
        .send()
        .await;
    assert_eq!(me.body["data"]["role"], "owner", "{me:?}");
    assert_eq!(
        me.body["data"]["workspace_id"],
        made.workspace_id.to_string().as_str()
    );
    // Without a mail server there is no verification link to send.
    let r = as_person(&app, Method::POST, "/api/v1/auth/verify-email", &first)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    // The owner works without the operator token from here: a site, a key, an invitation.
    let r = as_person(&app, Method::POST, "/api/v1/sites", &first)
        .json(json!({"name": "Shop", "domain": "shop.example.com"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = as_person(&app, Method::POST, "/api/v1/keys", &first)
        .json(json!({"name": "server"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    // With two workspaces, the command line must be told which.
    app.create_workspace("Second", "free").await;
    let r = keel_api::people::create_user(
        &store,
        "first@example.com",
        "First",
        String::new(),
        None,
        "x",
        Role::Viewer,
    )
    .await;
    assert!(r.unwrap_err().to_string().contains("--workspace"));
    // An account that exists is added, not created again (its password stays).
    let made2 = keel_api::people::create_user(
        &store,
        "first@example.com",
        "First",
        String::new(),
        Some(&made.workspace_id.to_string()),
        "x",
        Role::Viewer,
    )
    .await;
    assert!(made2.unwrap_err().to_string().contains("already a member"));
    // Now in two workspaces, a request without X-Workspace-ID must name one.
    let second = app.create_workspace("Third", "free").await;
    let made3 = keel_api::people::create_user(
        &store,
        "first@example.com",
        "First",
        String::new(),
        Some(&second),
        "x",
        Role::Viewer,
    )
    .await
    .unwrap();
    assert!(made3.existed);
    let r = as_person(&app, Method::GET, "/api/v1/sites", &first)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    let r = as_person(&app, Method::GET, "/api/v1/sites", &first)
        .workspace(&second)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = as_person(&app, Method::POST, "/api/v1/sites", &first)
        .workspace(&second)
        .json(json!({"name": "Shop", "domain": "shop.example.com"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a viewer there: {r:?}");
    app.stop().await;
}

async fn login(app: &TestApp, email: &str, password: &str) -> Resp {
    app.post("/api/v1/auth/login")
        .no_token()
        .json(json!({"email": email, "password": password}))
        .send()
        .await
}

async fn passwords_are_reset_by_emailed_link_and_changed(b: Backend) {
    let smtp = SmtpSink::start().await;
    let url = smtp.url();
    let app = spawn_app_with(b, move |c| {
        c.smtp_url = Some(url);
        c.dev = true;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;
    keel_api::people::create_user(
        &app.store(),
        "pat@example.com",
        "Pat",
        PASSWORD.into(),
        Some(&ws),
        "x",
        Role::Owner,
    )
    .await
    .unwrap();
    let r = login(&app, "pat@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let before = Person::of(&r);

    // Made on the command line, Pat's address is not verified until a link comes back.
    let me = as_person(&app, Method::GET, "/api/v1/auth/me", &before)
        .send()
        .await;
    assert_eq!(me.body["data"]["email_verified"], false, "{me:?}");
    let r = as_person(&app, Method::POST, "/api/v1/auth/verify-email", &before)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    let mail = smtp.message_to("pat@example.com").await;
    let token = token_in(mail["body"].as_str().unwrap());
    assert!(token.starts_with("keel_verify_"), "{mail}");
    let verify = |token: String| {
        app.post("/api/v1/auth/verify-email/confirm")
            .no_token()
            .json(json!({ "token": token }))
            .send()
    };
    assert_eq!(verify(token.clone()).await.status, StatusCode::NO_CONTENT);
    let r = verify(token).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::GONE, "link_expired"),
        "{r:?}"
    );
    let me = as_person(&app, Method::GET, "/api/v1/auth/me", &before)
        .send()
        .await;
    assert_eq!(me.body["data"]["email_verified"], true, "{me:?}");
    let r = as_person(&app, Method::POST, "/api/v1/auth/verify-email", &before)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "verified already: {r:?}");

    // Known or not, the address gets the same answer.
    let known = app
        .post("/api/v1/auth/password-reset")
        .no_token()
        .json(json!({"email": "Pat@example.com"}))
        .send()
        .await;
    let unknown = app
        .post("/api/v1/auth/password-reset")
        .no_token()
        .json(json!({"email": "nobody@example.com"}))
        .send()
        .await;
    assert_eq!(known.status, StatusCode::ACCEPTED, "{known:?}");
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    // The reset mail goes out after the answer.
    let mail = smtp
        .message_to_containing("pat@example.com", "keel_reset_")
        .await;
    let token = token_in(mail["body"].as_str().unwrap());
    assert!(token.starts_with("keel_reset_"), "{mail}");
    assert!(smtp
        .messages()
        .iter()
        .all(|m| m["to"][0] != "nobody@example.com"));

    let confirm = |token: String, password: &'static str| {
        app.post("/api/v1/auth/password-reset/confirm")
            .no_token()
            .json(json!({"token": token, "password": password}))
            .send()
    };
    // A weak password is refused and the link stays good.
    let r = confirm(token.clone(), "1234567890").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = confirm(token.clone(), "a brand new passphrase").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    // The link worked once; a forged one never.
    let r = confirm(token.clone(), "yet another passphrase").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::GONE, "link_expired"),
        "{r:?}"
    );
    let r = confirm("keel_reset_forged".into(), "yet another passphrase").await;
    assert_eq!(r.status, StatusCode::GONE, "{r:?}");
    // Every session ended; the old password is gone, the new one signs in.
    let r = as_person(&app, Method::GET, "/api/v1/auth/me", &before)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    let r = login(&app, "pat@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    let one = Person::of(&login(&app, "pat@example.com", "a brand new passphrase").await);
    let two = Person::of(&login(&app, "pat@example.com", "a brand new passphrase").await);

    // Changing it while signed in needs the current one and ends the other sessions.
    let r = as_person(&app, Method::POST, "/api/v1/auth/password", &one)
        .json(json!({"current_password": "wrong", "new_password": "the third passphrase"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    let r = as_person(&app, Method::POST, "/api/v1/auth/password", &one)
        .json(json!({"current_password": "a brand new passphrase", "new_password": "the third passphrase"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = as_person(&app, Method::GET, "/api/v1/auth/me", &one)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = as_person(&app, Method::GET, "/api/v1/auth/me", &two)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    let r = login(&app, "pat@example.com", "the third passphrase").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // The log says each time that the password changed, never what it is.
    let audit = app
        .get("/api/v1/audit/events?event_type=user.password_changed")
        .workspace(&ws)
        .send()
        .await;
    // Set at creation, reset, changed.
    assert_eq!(
        audit.body["data"].as_array().map(Vec::len),
        Some(3),
        "{audit:?}"
    );
    assert!(!audit.body.to_string().contains("argon2"), "{audit:?}");
    app.stop().await;
}

/// The code an authenticator app shows at `at`, by oathtool (an implementation of RFC 6238 that
/// is not Keel's).
fn oathtool(secret: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let out = std::process::Command::new("oathtool")
        .args(["--totp", "-b", "--now"])
        .arg(at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .arg(secret)
        .output()
        .expect("oathtool (scripts/test installs it)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn a_second_factor_guards_sign_in(b: Backend) {
    use chrono::{DurationRound, TimeDelta};
    let t0 = chrono::Utc::now()
        .duration_trunc(TimeDelta::seconds(30))
        .unwrap()
        + TimeDelta::seconds(5);
    let clock = keel_infra::clock::Clock::manual(t0);
    let c2 = clock.clone();
    let app = spawn_app_with(b, move |c| {
        c.dev = true;
        c.clock = c2;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;
    keel_api::people::create_user(
        &app.store(),
        "tess@example.com",
        "Tess",
        PASSWORD.into(),
        Some(&ws),
        "x",
        Role::Owner,
    )
    .await
    .unwrap();
    let tess = Person::of(&login(&app, "tess@example.com", PASSWORD).await);
    let r = as_person(&app, Method::POST, "/api/v1/auth/totp", &tess)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let secret = r.body["data"]["secret"].as_str().unwrap().to_string();
    assert!(r.body["data"]["otpauth_url"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Keel%3Atess%40example.com?secret="));
    let code = oathtool(&secret, t0);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let confirm = |code: String| {
        as_person(&app, Method::POST, "/api/v1/auth/totp/confirm", &tess)
            .json(json!({ "code": code }))
            .send()
    };
    let r = confirm(wrong).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = confirm(code.clone()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");

    // Signing in now takes a code, each code once.
    let r = login(&app, "tess@example.com", PASSWORD).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "second_factor_required"),
        "{r:?}"
    );
    let with = |code: String| {
        app.post("/api/v1/auth/login")
            .no_token()
            .json(json!({"email": "tess@example.com", "password": PASSWORD, "otp": code}))
            .send()
    };
    let r = with(code).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials"),
        "the code that confirmed the secret was used: {r:?}"
    );
    clock.advance(TimeDelta::seconds(30));
    let r = with(oathtool(&secret, t0 + TimeDelta::seconds(30))).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let tess = Person::of(&r);

    // Off again with the password.
    let r = as_person(&app, Method::POST, "/api/v1/auth/totp/disable", &tess)
        .json(json!({"password": "not it"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    let r = as_person(&app, Method::POST, "/api/v1/auth/totp/disable", &tess)
        .json(json!({ "password": PASSWORD }))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = login(&app, "tess@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let audit = app
        .get("/api/v1/audit/events?event_type=user.*&limit=500")
        .workspace(&ws)
        .send()
        .await;
    let types: Vec<_> = audit.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .filter(|t| t.starts_with("user.second_factor"))
        .collect();
    assert_eq!(
        types,
        vec!["user.second_factor_disabled", "user.second_factor_enabled"],
        "{audit:?}"
    );
    assert!(!audit.body.to_string().contains(&secret));
    app.stop().await;
}

on_every_backend!(
    a_second_factor_guards_sign_in,
    passwords_are_reset_by_emailed_link_and_changed,
    the_first_owner_comes_from_the_command_line,
    invited_emailed_accepted_signed_in_and_removed,
    roles_hold_on_every_route_and_members_stay_in_their_workspace,
    invitations_expire_and_sessions_end_when_idle,
);

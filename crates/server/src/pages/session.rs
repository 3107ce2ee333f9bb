//! Sign-in, sign-out, the home page and changing one's password.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::scope::Scope;
use serde::Deserialize;

use super::{
    Nav, PageForm, PageParams, PageResult, flash_message, render, render_with, role_labels,
};
use crate::auth::{
    self, LOGIN_CSRF_COOKIE, PageCtx, SESSION_COOKIE, new_token, same_secret, set_cookie, sign_in,
};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    next: String,
    username: String,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    ok: Option<String>,
}

/// Only local paths may follow sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn login_cookie_value(headers: &HeaderMap) -> Option<String> {
    auth::cookie(headers, LOGIN_CSRF_COOKIE).map(str::to_string)
}

fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok());
    state.config().secure_cookies(proto)
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageParams(q): PageParams<LoginQuery>,
) -> Response {
    login_page(
        &state,
        &headers,
        StatusCode::OK,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
        flash_message(q.ok.as_deref()),
    )
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
    flash: Option<String>,
) -> Response {
    // Double-submit token for the sign-in form, which has no session yet.
    let csrf = login_cookie_value(headers)
        .filter(|c| c.len() == 64)
        .unwrap_or_else(new_token);
    let mut response = render_with(
        status,
        &LoginPage {
            nav: None,
            flash,
            error,
            csrf: csrf.clone(),
            next,
            username,
        },
    );
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, is_secure(state, headers)).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    next: Option<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let cookie_token = login_cookie_value(&headers).unwrap_or_default();
    if form.csrf.is_empty() || !same_secret(&form.csrf, &cookie_token) {
        let e = auth::csrf_error();
        return login_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            next,
            form.username,
            Some(e.message),
            None,
        );
    }
    match sign_in(&state, &form.username, &form.password, "web").await {
        Ok((token, _, _)) => {
            let max_age = state.config().auth.session_minutes * 60;
            let mut response = Redirect::to(&next).into_response();
            if let Ok(v) =
                set_cookie(SESSION_COOKIE, &token, max_age, is_secure(&state, &headers)).parse()
            {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            response
        }
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            login_page(
                &state,
                &headers,
                status,
                next,
                form.username,
                Some(e.message),
                None,
            )
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(form): PageForm<CsrfForm>,
) -> PageResult {
    ctx.check_csrf(&form.csrf)?;
    state
        .unscoped_store()
        .delete_session(ctx.now(), &ctx.user, &ctx.token_hash)
        .await?;
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", 0, false).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    full_name: String,
    username: String,
    unit_code: String,
    unit_name: String,
    roles: String,
    scope: String,
    unit_total: String,
}

pub async fn home(ctx: PageCtx) -> PageResult {
    let unit = ctx.store.unit(&ctx.user.unit_code).await?;
    let scope = match ctx.store.scope() {
        Scope::All => "Toàn Bộ".to_string(),
        Scope::Subtree(_) => format!("{} và các đơn vị cấp dưới", unit.name),
    };
    let top = ctx.store.top_units().await?;
    let mut total = 0;
    for u in &top {
        total += ctx.store.subtree_count(&u.code).await?;
    }
    Ok(render(&HomePage {
        nav: Nav::new(&ctx, "home"),
        flash: None,
        error: None,
        full_name: ctx.user.full_name.clone(),
        username: ctx.user.username.clone(),
        unit_code: unit.code,
        unit_name: unit.name,
        roles: role_labels(&ctx.user.roles),
        scope,
        unit_total: crate::pages::units::vn_number(total),
    }))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
}

pub async fn password_form(ctx: PageCtx) -> Response {
    render(&PasswordPage {
        nav: Nav::new(&ctx, ""),
        flash: None,
        error: None,
        csrf: ctx.csrf.clone(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageForm(form): PageForm<PasswordForm>,
) -> PageResult {
    ctx.check_csrf(&form.csrf)?;
    let result = crate::api::auth::change_own_password(
        &state,
        &ctx.user.username,
        &form.current_password,
        &form.new_password,
        ctx.now(),
    )
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/login?ok=password_changed").into_response()),
        Err(e) if e.kind != motcua_domain::ErrorKind::Internal => Ok(render_with(
            crate::error::status_of(e.kind),
            &PasswordPage {
                nav: Nav::new(&ctx, ""),
                flash: None,
                error: Some(e.message),
                csrf: ctx.csrf.clone(),
            },
        )),
        Err(e) => Err(e.into()),
    }
}

//! The people page: list within scope, and the admin's form to add someone.

use askama::Template;
use axum::response::{IntoResponse, Redirect};
use motcua_domain::user::{NewUser, Role, check_password};
use serde::Deserialize;

use super::{Nav, PageForm, PageParams, PageResult, flash_message, render_with, role_labels};
use crate::api::users::CAN_LIST_USERS;
use crate::auth::PageCtx;
use crate::password;

pub struct UserRow {
    pub username: String,
    pub full_name: String,
    pub unit_code: String,
    pub roles: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    users: Vec<UserRow>,
    next: Option<String>,
    is_admin: bool,
    csrf: String,
    default_unit: String,
    roles: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
pub struct UsersQuery {
    after: Option<String>,
    ok: Option<String>,
}

pub async fn list(ctx: PageCtx, PageParams(q): PageParams<UsersQuery>) -> PageResult {
    ctx.require(CAN_LIST_USERS)?;
    show(
        &ctx,
        q.after.as_deref(),
        flash_message(q.ok.as_deref()),
        None,
    )
    .await
}

async fn show(
    ctx: &PageCtx,
    after: Option<&str>,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let page = ctx.store.list_users(after, None, 100).await?;
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok(render_with(
        status,
        &UsersPage {
            nav: Nav::new(ctx, "users"),
            flash,
            error,
            users: page
                .items
                .into_iter()
                .map(|u| UserRow {
                    roles: role_labels(&u.roles),
                    username: u.username,
                    full_name: u.full_name,
                    unit_code: u.unit_code,
                    active: u.active,
                })
                .collect(),
            next: page.next,
            is_admin: ctx.user.has_role(Role::Admin),
            csrf: ctx.csrf.clone(),
            default_unit: ctx.user.unit_code.clone(),
            roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        },
    ))
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    password: String,
}

pub async fn create(ctx: PageCtx, PageForm(form): PageForm<NewUserForm>) -> PageResult {
    ctx.check_csrf(&form.csrf)?;
    ctx.require(&[Role::Admin])?;
    let outcome = async {
        let new = NewUser::parse(
            &form.username,
            &form.full_name,
            &form.unit_code,
            &form.roles,
        )?;
        check_password(&form.password)?;
        let hash = password::hash_async(form.password.clone()).await?;
        ctx.store
            .create_user(ctx.actor(), ctx.now(), &new, &hash)
            .await
    }
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to("/users?ok=user_created").into_response()),
        Err(e) if e.kind != motcua_domain::ErrorKind::Internal => {
            show(&ctx, None, None, Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}

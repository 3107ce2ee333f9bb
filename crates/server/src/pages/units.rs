//! The organisation pages: the unit tree, one unit, and the admin forms.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect};
use motcua_domain::Error;
use motcua_domain::unit::{LEVEL_MAX, NewUnit, Unit, level_label};
use motcua_domain::user::Role;
use motcua_store::UnitFilter;
use serde::Deserialize;

use super::{Nav, PageForm, PageParams, PageResult, esc, flash_message, render};
use crate::api::units::{UnitOut, unit_change};
use crate::auth::PageCtx;

pub use motcua_domain::text::vn_number;

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    q: String,
    searching: bool,
    results: Vec<UnitOut>,
    more: bool,
    tree: String,
    shown: usize,
}

#[derive(Deserialize)]
pub struct UnitsQuery {
    q: Option<String>,
}

/// Children shown per unit in the tree; the unit page lists them all.
const TREE_FANOUT: usize = 200;

pub async fn tree(ctx: PageCtx, PageParams(query): PageParams<UnitsQuery>) -> PageResult {
    let q = query.q.unwrap_or_default();
    let nav = Nav::new(&ctx, "units");
    if !q.trim().is_empty() {
        let filter = UnitFilter {
            query: Some(q.clone()),
            ..Default::default()
        };
        let page = ctx.store.list_units(&filter, 200).await?;
        return Ok(render(&UnitsPage {
            nav,
            flash: None,
            error: None,
            q,
            searching: true,
            more: page.next.is_some(),
            results: page.items.into_iter().map(UnitOut::from).collect(),
            tree: String::new(),
            shown: 0,
        }));
    }
    // Two levels below each top unit, folded with <details>; deeper levels via the unit page.
    let mut html = String::from("<ul>");
    let mut shown = 0;
    for top in ctx.store.top_units().await? {
        let children = ctx.store.children(&top.code).await?;
        html.push_str("<li><details open><summary>");
        html.push_str(&unit_link(&top));
        html.push_str("</summary><ul>");
        shown += 1;
        for child in children.iter().take(TREE_FANOUT) {
            shown += 1;
            let grandchildren = ctx.store.children(&child.code).await?;
            if grandchildren.is_empty() {
                html.push_str(&format!("<li>{}</li>", unit_link(child)));
                continue;
            }
            html.push_str(&format!(
                "<li><details><summary>{}</summary><ul>",
                unit_link(child)
            ));
            for g in grandchildren.iter().take(TREE_FANOUT) {
                shown += 1;
                html.push_str(&format!("<li>{}</li>", unit_link(g)));
            }
            if grandchildren.len() > TREE_FANOUT {
                html.push_str(&format!(
                    "<li><a href=\"/units/{}\">… và {} đơn vị khác</a></li>",
                    esc(&child.code),
                    grandchildren.len() - TREE_FANOUT
                ));
            }
            html.push_str("</ul></details></li>");
        }
        html.push_str("</ul></details></li>");
    }
    html.push_str("</ul>");
    Ok(render(&UnitsPage {
        nav,
        flash: None,
        error: None,
        q,
        searching: false,
        results: Vec::new(),
        more: false,
        tree: html,
        shown,
    }))
}

fn unit_link(u: &Unit) -> String {
    format!(
        "<a href=\"/units/{code}\">{name}</a> <span class=\"lvl\">{code} · {level}{inactive}</span>",
        code = esc(&u.code),
        name = esc(&u.name),
        level = esc(&level_label(u.level)),
        inactive = if u.active {
            ""
        } else {
            " · ngừng hoạt động"
        }
    )
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    unit: UnitOut,
    ancestors: Vec<UnitOut>,
    children: Vec<UnitOut>,
    is_admin: bool,
    csrf: String,
    child_levels: Vec<(i32, String)>,
    /// E-government facts (templates/_unit_facts.html).
    facts: Option<super::facts::FactsSection>,
}

#[derive(Deserialize)]
pub struct UnitQuery {
    ok: Option<String>,
}

pub async fn unit_page(
    ctx: PageCtx,
    Path(code): Path<String>,
    PageParams(q): PageParams<UnitQuery>,
) -> PageResult {
    let unit = ctx.store.unit(&code.to_ascii_uppercase()).await?;
    show_unit(&ctx, unit, flash_message(q.ok.as_deref()), None).await
}

pub(crate) async fn show_unit(
    ctx: &PageCtx,
    unit: Unit,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let children = ctx.store.children(&unit.code).await?;
    // Breadcrumbs: walk up while the ancestors are inside the person's scope.
    let mut ancestors = Vec::new();
    let mut parent = unit.parent_code.clone();
    while let Some(code) = parent {
        match ctx.store.unit(&code).await {
            Ok(p) => {
                parent = p.parent_code.clone();
                ancestors.push(UnitOut::from(p));
            }
            Err(_) => break,
        }
    }
    ancestors.reverse();
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let facts = Some(super::facts::section(ctx, &unit.code).await?);
    let child_levels = (unit.level + 1..=LEVEL_MAX)
        .map(|l| (l, level_label(l)))
        .collect();
    Ok(super::render_with(
        status,
        &UnitPage {
            nav: Nav::new(ctx, "units"),
            flash,
            error,
            is_admin: ctx.user.has_role(Role::Admin),
            csrf: ctx.csrf.clone(),
            unit: unit.into(),
            ancestors,
            children: children.into_iter().map(UnitOut::from).collect(),
            child_levels,
            facts,
        },
    ))
}

#[derive(Deserialize)]
pub struct NewUnitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    short_name: Option<String>,
    #[serde(default)]
    level: String,
    parent_code: Option<String>,
}

pub async fn create(ctx: PageCtx, PageForm(form): PageForm<NewUnitForm>) -> PageResult {
    ctx.check_csrf(&form.csrf)?;
    ctx.require(&[Role::Admin])?;
    let level: i32 = form
        .level
        .trim()
        .parse()
        .map_err(|_| Error::invalid("unit_level_invalid", "Cấp đơn vị phải là một số."))?;
    let parent = form.parent_code.as_deref().unwrap_or("").to_string();
    let outcome = async {
        let new = NewUnit::parse(
            &form.code,
            &form.name,
            form.short_name.as_deref(),
            level,
            Some(&parent),
        )?;
        ctx.store.create_unit(ctx.actor(), ctx.now(), &new).await
    }
    .await;
    match outcome {
        Ok(created) => {
            Ok(Redirect::to(&format!("/units/{}?ok=created", created.code)).into_response())
        }
        // Show the rule that was broken on the parent's page, keeping the person in context.
        Err(e) if e.kind != motcua_domain::ErrorKind::Internal && !parent.is_empty() => {
            let unit = ctx.store.unit(&parent.to_ascii_uppercase()).await?;
            show_unit(&ctx, unit, None, Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    version: String,
    name: Option<String>,
    short_name: Option<String>,
    parent_code: Option<String>,
}

pub async fn change(
    ctx: PageCtx,
    Path(code): Path<String>,
    PageForm(form): PageForm<ChangeForm>,
) -> PageResult {
    ctx.check_csrf(&form.csrf)?;
    ctx.require(&[Role::Admin])?;
    let code = code.to_ascii_uppercase();
    let version: i64 = form
        .version
        .trim()
        .parse()
        .map_err(|_| Error::bad_request("form_invalid", "Thiếu phiên bản dữ liệu."))?;
    let (change, done) = match form.action.as_str() {
        "rename" => (
            unit_change(
                Some(form.name.as_deref().unwrap_or("")),
                Some(form.short_name.as_deref().unwrap_or("")),
                None,
                None,
            ),
            "saved",
        ),
        "move" => (
            unit_change(
                None,
                None,
                Some(form.parent_code.as_deref().unwrap_or("")),
                None,
            ),
            "moved",
        ),
        "deactivate" => (unit_change(None, None, None, Some(false)), "deactivated"),
        "activate" => (unit_change(None, None, None, Some(true)), "activated"),
        _ => return Err(Error::bad_request("form_invalid", "Thao tác không hợp lệ.").into()),
    };
    let outcome = match change {
        Ok(change) => {
            ctx.store
                .change_unit(ctx.actor(), ctx.now(), &code, version, &change)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(unit) => Ok(Redirect::to(&format!("/units/{}?ok={done}", unit.code)).into_response()),
        Err(e)
            if matches!(
                e.kind,
                motcua_domain::ErrorKind::Unprocessable | motcua_domain::ErrorKind::Conflict
            ) =>
        {
            let unit = ctx.store.unit(&code).await?;
            show_unit(&ctx, unit, None, Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn vietnamese_numbers() {
        assert_eq!(super::vn_number(56906), "56.906");
        assert_eq!(super::vn_number(999), "999");
        assert_eq!(super::vn_number(1_000_000), "1.000.000");
        assert_eq!(super::vn_number(-1200), "-1.200");
    }
}

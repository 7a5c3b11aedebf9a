//! Account administration from the command line: the first admin of a fresh database,
//! and a new password for an account whose owner cannot sign in any more.

use anyhow::Context;
use domain::{Role, ValidationErrors};
use persistence::DbPool;
use persistence::audit::AuditContext;

/// Creates an active admin with a password of their own (no change required).
pub fn create_admin(
    pool: &DbPool,
    email: &str,
    name: &str,
    employer: &str,
    password: &str,
) -> anyhow::Result<String> {
    let mut errors = ValidationErrors::default();
    domain::accounts::password::check_new_password("password", password, &[email, name], &mut errors);
    errors.require_text("name", name, 200);
    if let Some(problem) = errors.0.first() {
        anyhow::bail!(
            "{} {}",
            problem.pointer.as_deref().unwrap_or_default(),
            problem.message
        );
    }
    let mut conn = pool.get().context("cannot connect to the database")?;
    let org = persistence::directory::organizations::find_by_name(&mut conn, employer)?
        .with_context(|| format!("no organization named {employer:?}"))?;
    let hash = api::accounts::auth::passwords::hash(password);
    let user = persistence::accounts::users::create(
        &mut conn,
        persistence::accounts::users::NewUser {
            email: email.to_owned(),
            display_name: name.to_owned(),
            employer_organization_id: org.id,
            role: Role::Admin,
            password_hash: hash,
            password_change_required: false,
        },
        &AuditContext::system("cli", &domain::Clock::system()),
    )?;
    Ok(user.id)
}

/// Sets a new password (the owner's own, no change required) and ends every session of
/// the account, audited as done from the command line.
pub fn reset_password(pool: &DbPool, email: &str, password: &str) -> anyhow::Result<()> {
    let mut conn = pool.get().context("cannot connect to the database")?;
    let user = persistence::accounts::users::find_by_email(
        &mut conn,
        &persistence::accounts::users::normalize_email(email),
    )?
    .with_context(|| format!("no account with the email {email}"))?;
    let mut errors = ValidationErrors::default();
    domain::accounts::password::check_new_password(
        "password",
        password,
        &[&user.email, &user.display_name],
        &mut errors,
    );
    if let Some(problem) = errors.0.first() {
        anyhow::bail!("password: {}", problem.message);
    }
    let hash = api::accounts::auth::passwords::hash(password);
    persistence::accounts::users::set_password(
        &mut conn,
        &domain::UserId::from_stored(user.id),
        &hash,
        false,
        "user.password_reset",
        &AuditContext::system("cli", &domain::Clock::system()),
    )?;
    Ok(())
}

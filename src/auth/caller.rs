//! `Caller`: the authenticated staff user of a request. Extracting it checks
//! the token, then the account as it is now (still there, still active, same
//! token version), so a disabled or changed account's tokens stop at once.

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::future::LocalBoxFuture;

use super::policy::{self, Permission, Role};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, Scope};

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub structure_id: Option<String>,
}

impl Caller {
    /// 403 unless the caller's role allows `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if policy::allows(self.role, permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The structures this caller's queries may touch.
    pub fn scope(&self) -> Scope {
        match (&self.role, &self.structure_id) {
            (Role::Admin, _) => Scope::All,
            (_, Some(id)) => Scope::Structure(id.clone()),
            // A non-admin without a structure sees nothing: an id no row has.
            (_, None) => Scope::Structure(String::new()),
        }
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("AppState missing"))?;
            let token = token.ok_or(AppError::Unauthorized)?;
            let claims = state
                .keys
                .verify_access(&token, state.clock.now().timestamp())?;
            current(&state, claims.sub, claims.ver).await
        })
    }
}

/// The account `user_id` as it is now, if it still exists, is active and
/// is still at `token_version`; 401 otherwise. Bearer tokens and the web
/// session both end here, so disabling an account or bumping its version
/// ends both at once.
pub async fn current(
    state: &AppState,
    user_id: String,
    token_version: i32,
) -> Result<Caller, AppError> {
    let user = state
        .db
        .read(move |conn| Ok(store::users::find_any(conn, &user_id)?))
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !user.active || user.token_version != token_version {
        return Err(AppError::Unauthorized);
    }
    let role = Role::parse(&user.role)
        .ok_or_else(|| AppError::internal(format!("unknown role {}", user.role)))?;
    Ok(Caller {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        role,
        structure_id: user.structure_id,
    })
}

/// What a route needs: one marker type per permission, for `Can`.
pub mod need {
    use super::super::policy::Permission;

    pub trait Need {
        const PERMISSION: Permission;
    }

    macro_rules! needs {
        ($($name:ident),+) => {
            $(
                pub struct $name;
                impl Need for $name {
                    const PERMISSION: Permission = Permission::$name;
                }
            )+
        };
    }

    needs!(Read, Write, Sign, ManageUsers, ManageStructures, ReadAudit);
}

/// A caller allowed `N`, checked before the request body is read: a caller
/// who may not act learns nothing from the body's validation.
pub struct Can<N: need::Need>(pub Caller, pub std::marker::PhantomData<N>);

impl<N: need::Need + 'static> FromRequest for Can<N> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            caller.require(N::PERMISSION)?;
            Ok(Can(caller, std::marker::PhantomData))
        })
    }
}

// The local OpenID provider of clu's tests: oidc-provider (installed at the
// version pinned in tests/oidc/package-lock.json by scripts/oidc-provider),
// configured as ProConnect is — the scopes `openid given_name usual_name
// email uid siret`, `acr` "eidas1", PKCE required, the userinfo answer a
// signed JWT, RP-initiated logout — with keys generated for the run.
//
// Usage: node tests/oidc/provider.mjs PORT CONFIG_FILE
//
// CONFIG_FILE (JSON), written by the test and read again at every sign-in,
// so a test may change the accounts or the mode between two sign-ins:
//   { "clients": [{ "client_id", "client_secret", "redirect_uris",
//                   "post_logout_redirect_uris", "userinfo": "jwt"|"json" }],
//     "accounts": [{ "sub", "email", "given_name", "usual_name", "uid", "siret" }],
//     "mode": "normal" | "wrong-nonce" | "expired" | "other-key" | "future" }
// (clients are read once, at start.) Any mode but "normal" rewrites the ID
// token of the token endpoint's answer, for the tests of the refusals: a
// wrong nonce, an ID token expired ten minutes ago, one signed by another
// key under the provider's own key id, one issued five minutes from now.
//
// The interaction pages are plain HTML forms: the e-mail of a known
// account signs in ("Se connecter"), "Annuler" answers access_denied.
// Prints "listening http://127.0.0.1:PORT" once it serves.

import crypto from 'node:crypto';
import fs from 'node:fs';
import Provider from 'oidc-provider';

const [port, configFile] = process.argv.slice(2);
if (!port || !configFile) {
  console.error('usage: node provider.mjs PORT CONFIG_FILE');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const readConfig = () => JSON.parse(fs.readFileSync(configFile, 'utf8'));

// The signing key of this run, and another one, never published, for the
// "other-key" mode.
const signing = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = crypto.randomBytes(8).toString('hex');
const jwk = { ...signing.privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const scopes = ['given_name', 'usual_name', 'email', 'uid', 'siret'];
const configuration = {
  clients: readConfig().clients.map(({ userinfo, ...client }) => ({
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    ...(userinfo === 'json' ? {} : { userinfo_signed_response_alg: 'RS256' }),
    ...client,
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  scopes: ['openid', ...scopes],
  claims: Object.fromEntries([['openid', ['sub']], ...scopes.map((s) => [s, [s]])]),
  acrValues: ['eidas1'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // Signs out at once, as ProConnect does (the form posts itself).
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Déconnexion</title></head><body><h1>Déconnexion du fournisseur de test</h1>
${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<script>document.forms[0].requestSubmit ? document.forms[0].requestSubmit(document.querySelector('button')) : document.forms[0].submit();</script>
</body></html>`;
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = readConfig().accounts.find((a) => a.sub === sub);
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ ...account }) };
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur</title></head>
<body><h1>Erreur du fournisseur de test</h1><pre>${escape(JSON.stringify(out))}</pre></body></html>`;
  },
};

const provider = new Provider(issuer, configuration);

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The ID token `token`, its claims changed by `mode`, signed again. */
function tamper(token, mode) {
  const [head, body] = token.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url'));
  const claims = JSON.parse(Buffer.from(body, 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  let key = signing.privateKey;
  if (mode === 'wrong-nonce') claims.nonce = crypto.randomBytes(32).toString('base64url');
  if (mode === 'expired') Object.assign(claims, { iat: now - 1200, auth_time: now - 1200, exp: now - 600 });
  if (mode === 'future') Object.assign(claims, { iat: now + 300, auth_time: now + 300, exp: now + 900 });
  if (mode === 'other-key') key = other.privateKey;
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = crypto.sign('sha256', Buffer.from(input), key).toString('base64url');
  return `${input}.${signature}`;
}

provider.use(async (ctx, next) => {
  await next();
  const mode = readConfig().mode || 'normal';
  if (ctx.path === '/token' && mode !== 'normal' && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token, mode) };
  }
});

async function form(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(ctx, uid, error) {
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Fournisseur de test</title></head>
<body><h1>Fournisseur d’identité de test</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label for="email">Adresse e-mail</label> <input id="email" name="email" type="email" autocomplete="username">
<button type="submit">Se connecter</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Annuler</button></form>
</body></html>`;
}

async function finish(ctx, result) {
  const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
  ctx.status = 303;
  ctx.redirect(to);
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
  if (!match) return next();
  const [, uid, action] = match;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) ctx.throw(400, 'interaction inconnue');
  if (ctx.method === 'GET' && details.prompt.name === 'login') return loginPage(ctx, uid);
  if (ctx.method === 'GET' && details.prompt.name === 'consent') {
    // Consent is given at once, as ProConnect does for a registered service.
    const { prompt: { details: missing }, params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    return finish(ctx, { consent: { grantId: await grant.save() } });
  }
  if (ctx.method === 'POST' && action === 'abort') {
    return finish(ctx, { error: 'access_denied', error_description: 'annulé par l’usager' });
  }
  if (ctx.method === 'POST' && action === 'login') {
    const email = ((await form(ctx)).get('email') || '').trim().toLowerCase();
    const account = readConfig().accounts.find((a) => a.email.toLowerCase() === email);
    if (!account) return loginPage(ctx, uid, 'Adresse inconnue du fournisseur de test.');
    return finish(ctx, { login: { accountId: account.sub, acr: 'eidas1', amr: ['pwd'] } });
  }
  return ctx.throw(405);
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
process.on('SIGTERM', () => process.exit(0));

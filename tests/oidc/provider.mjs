// A real OpenID provider (panva/oidc-provider) for the CONVERGE test suite.
//
//   node tests/oidc/provider.mjs <config.json>
//
// Config (JSON):
//   {"port": 0, "admin_token": "...", "jwks": {"keys": [<private JWKs with kid and alg>]},
//    "clients": [{"client_id", "client_secret", "grant_types", "redirect_uris", "scope",
//                 "token_endpoint_auth_method"}],
//    "accounts": {"alice": {"name", "email", "eduperson_entitlement": [...]}},
//    "resources": {"<audience URI>": {"scope": "space separated", "ttl": 600}}}
//
// Optional: "exit_on_stdin_eof": true makes the process exit when its stdin is closed
// (the Python driver uses this so that a killed test run leaves no provider behind).
//
// Prints one line {"ready": true, "issuer": "http://127.0.0.1:PORT"} on stdout when listening.
//
// Behaviour worth knowing:
// * Access tokens for a resource are RFC 9068 JWTs (header typ "at+jwt") with
//   iss, aud (= the resource URI), sub, client_id, scope (absent when empty), iat, exp, jti;
//   user tokens additionally carry eduperson_entitlement.
// * API scopes are NOT declared as OIDC scopes: the scope granted for a resource is
//   requested ∩ client's "scope" ∩ resource's "scope"; anything else is dropped silently.
//   "openid"/"profile"/"email" never appear in the access token scope (the resource does not
//   accept them) - they only govern the ID token.
// * The first key of the configured JWKS decides the signing alg; the first key with that alg
//   signs. POST /__admin/jwks (Bearer admin_token) swaps the keys without restarting.
// * Login: /interaction/:uid logs in the account named by login_hint without a page (what the
//   test drivers use); without a login_hint it shows a sign-in form (an accessible HTML page
//   with a username field; no password: this provider is for tests and the demo only), and
//   POST /interaction/:uid logs in the account typed. Consent is always given to everything
//   requested, without a page.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'];
const MAX_ADMIN_BODY = 1024 * 1024;

function fail(message) {
  process.stderr.write(`oidc-provider test OP: ${message}\n`);
  process.exit(2);
}

function readConfig(path) {
  if (!path) fail('usage: node provider.mjs <config.json>');
  let config;
  try {
    config = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    fail(`cannot read config ${path}: ${err.message}`);
  }
  if (typeof config.admin_token !== 'string' || config.admin_token.length < 8) {
    fail('config.admin_token must be a string of at least 8 characters');
  }
  if (!Array.isArray(config.clients)) fail('config.clients must be an array');
  config.accounts ??= {};
  config.resources ??= {};
  config.port ??= 0;
  checkJwks(config.jwks);
  return config;
}

function checkJwks(jwks) {
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw new TypeError('jwks must be {"keys": [...]} with at least one key');
  }
  for (const key of jwks.keys) {
    if (!key || typeof key !== 'object' || typeof key.kid !== 'string' || !key.kid) {
      throw new TypeError('every JWK needs a "kid"');
    }
    if (typeof key.alg !== 'string' || !key.alg) {
      throw new TypeError(`JWK ${key.kid} needs an "alg"`);
    }
    if (!key.d) {
      throw new TypeError(`JWK ${key.kid} must be a private key`);
    }
  }
}

const splitScope = (scope) => (typeof scope === 'string' ? scope.split(' ').filter(Boolean) : []);

function buildProvider(issuer, config, jwks) {
  checkJwks(jwks);
  const signingAlg = jwks.keys[0].alg;
  const resources = config.resources;
  const resourceIds = Object.keys(resources);
  const accounts = config.accounts;
  const allowedScopes = new Map(
    config.clients.map((client) => [client.client_id, new Set(splitScope(client.scope))]),
  );

  const clients = config.clients.map((client) => {
    const grantTypes = client.grant_types ?? ['client_credentials'];
    const authMethod = client.token_endpoint_auth_method ?? 'client_secret_basic';
    const metadata = {
      client_id: client.client_id,
      application_type: client.application_type ?? 'web',
      grant_types: grantTypes,
      redirect_uris: client.redirect_uris ?? [],
      response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
      token_endpoint_auth_method: authMethod,
      id_token_signed_response_alg: signingAlg,
    };
    if (authMethod !== 'none') metadata.client_secret = client.client_secret;
    return metadata;
  });

  const provider = new Provider(issuer, {
    clients,
    jwks,
    cookies: {
      keys: [crypto.randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', secure: false },
      short: { httpOnly: true, sameSite: 'lax', secure: false },
    },
    scopes: OIDC_SCOPES,
    // the ID token carries the profile claims asked for (a web client shows the name)
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: signingAlg,
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, client, oneOf) {
          if (oneOf) return oneOf.length === 1 ? oneOf[0] : oneOf;
          return resourceIds.length === 1 ? resourceIds[0] : undefined;
        },
        async useGrantedResource() {
          return true;
        },
        async getResourceServerInfo(ctx, resourceIndicator, client) {
          if (!Object.hasOwn(resources, resourceIndicator)) {
            throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
          }
          const resource = resources[resourceIndicator];
          const clientScopes = allowedScopes.get(client.clientId) ?? new Set();
          const scope = splitScope(resource.scope).filter((s) => clientScopes.has(s)).join(' ');
          return {
            scope,
            audience: resourceIndicator,
            accessTokenTTL: resource.ttl ?? 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: signingAlg } },
          };
        },
      },
    },
    async findAccount(ctx, sub) {
      if (!Object.hasOwn(accounts, sub)) return undefined;
      const account = accounts[sub];
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: account.name,
            email: account.email,
            email_verified: account.email ? true : undefined,
          };
        },
      };
    },
    async extraTokenClaims(ctx, token) {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const account = Object.hasOwn(accounts, token.accountId)
        ? accounts[token.accountId]
        : undefined;
      if (!account) return undefined;
      return { eduperson_entitlement: [...(account.eduperson_entitlement ?? [])] };
    },
    interactions: {
      url(ctx, interaction) {
        return `/interaction/${interaction.uid}`;
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Grant: 86400,
      Session: 86400,
      RefreshToken: 86400,
    },
  });

  provider.on('server_error', (ctx, err) => {
    process.stderr.write(`server_error: ${err.stack ?? err}\n`);
  });
  if (process.env.OIDC_PROVIDER_DEBUG) {
    for (const event of ['grant.error', 'authorization.error', 'introspection.error']) {
      provider.on(event, (ctx, err) => {
        process.stderr.write(`${event}: ${err.name}: ${err.message} ${err.error_detail ?? ''}\n`);
      });
    }
  }

  return { provider, callback: provider.callback() };
}

function sendJson(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
    'cache-control': 'no-store',
  });
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_ADMIN_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tokenMatches(header, expected) {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match) return false;
  const given = crypto.hash('sha256', match[1], 'buffer');
  const wanted = crypto.hash('sha256', expected, 'buffer');
  return crypto.timingSafeEqual(given, wanted);
}

async function handleInteraction(provider, config, req, res, uid) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    sendJson(res, 400, { error: 'invalid_request', error_description: err.message });
    return;
  }
  if (details.uid !== uid) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'interaction mismatch' });
    return;
  }
  const { prompt, params, session } = details;

  if (prompt.name === 'login') {
    let accountId = params.login_hint;
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      accountId = (form.get('username') ?? '').trim();
      if (!Object.hasOwn(config.accounts, accountId)) {
        sendLoginPage(res, uid, params, config, accountId);
        return;
      }
    } else if (accountId === undefined) {
      sendLoginPage(res, uid, params, config);
      return;
    }
    if (typeof accountId !== 'string' || !Object.hasOwn(config.accounts, accountId)) {
      sendJson(res, 400, {
        error: 'unknown_account',
        error_description: `login_hint must name a configured account, got ${JSON.stringify(accountId ?? null)}`,
      });
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    );
    return;
  }

  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const {
      missingOIDCScope, missingOIDCClaims, missingResourceScopes,
    } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    if (missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { consent: details.grantId ? {} : { grantId } },
      { mergeWithLastSubmission: true },
    );
    return;
  }

  sendJson(res, 400, { error: 'invalid_request', error_description: `unsupported prompt ${prompt.name}` });
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The sign-in page of the test and demo provider: a username, no password.
function sendLoginPage(res, uid, params, config, rejected) {
  const accounts = Object.keys(config.accounts).sort();
  const error = rejected === undefined
    ? ''
    : `<p id="error" class="error" role="alert">There is no account “${escapeHtml(rejected)}” here.</p>`;
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · CONVERGE test provider</title>
<link rel="icon" href="data:,">
<style>
body { font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1f24; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; }
label { display: block; font-weight: 600; }
input { font: inherit; padding: .4rem .5rem; border: 2px solid #4a5360; border-radius: 4px; width: 100%; }
button { font: inherit; margin-top: 1rem; padding: .45rem 1rem; background: #0b5394; color: #fff; border: 2px solid #0b5394; border-radius: 4px; }
:focus-visible { outline: 3px solid #e8a317; outline-offset: 2px; }
.help { color: #4a5360; }
.error { color: #a11a1a; font-weight: 600; }
</style>
</head>
<body>
<main>
<h1>Sign in</h1>
<p>${escapeHtml(params.client_id)} asks you to sign in. This is the CONVERGE test and demo provider: accounts need no password.</p>
${error}
<form method="post" action="/interaction/${escapeHtml(uid)}">
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" required autofocus
    aria-describedby="accounts${rejected === undefined ? '' : ' error'}"${rejected === undefined ? '' : ' aria-invalid="true"'}>
  <p id="accounts" class="help">Accounts: ${accounts.map(escapeHtml).join(', ')}.</p>
  <button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
  res.writeHead(rejected === undefined ? 200 : 400, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page),
    'cache-control': 'no-store',
  });
  res.end(page);
}

async function handleAdminJwks(state, config, issuer, req, res) {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' });
    res.end();
    return;
  }
  if (!tokenMatches(req.headers.authorization, config.admin_token)) {
    res.writeHead(401, { 'www-authenticate': 'Bearer' });
    res.end();
    return;
  }
  let jwks;
  try {
    jwks = JSON.parse(await readBody(req));
    state.current = buildProvider(issuer, config, jwks);
  } catch (err) {
    sendJson(res, 400, { error: 'invalid_request', error_description: err.message });
    return;
  }
  res.writeHead(204);
  res.end();
}

async function main() {
  const config = readConfig(process.argv[2]);
  const state = { current: undefined };
  let issuer;

  const server = http.createServer((req, res) => {
    const { current } = state;
    if (!current) {
      sendJson(res, 503, { error: 'starting' });
      return;
    }
    const { pathname } = new URL(req.url, issuer);
    const handle = async () => {
      if (pathname === '/__admin/jwks') {
        await handleAdminJwks(state, config, issuer, req, res);
        return;
      }
      const interaction = /^\/interaction\/([^/]+)$/.exec(pathname);
      if (interaction && (req.method === 'GET' || req.method === 'POST')) {
        await handleInteraction(current.provider, config, req, res, interaction[1]);
        return;
      }
      current.callback(req, res);
    };
    handle().catch((err) => {
      process.stderr.write(`request error: ${err.stack ?? err}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', resolve);
  });
  issuer = `http://127.0.0.1:${server.address().port}`;
  try {
    state.current = buildProvider(issuer, config, config.jwks);
  } catch (err) {
    fail(`invalid configuration: ${err.stack ?? err}`);
  }

  const shutdown = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (config.exit_on_stdin_eof) {
    // the driver holds our stdin open: if it dies without stopping us, do not linger
    process.stdin.on('end', shutdown);
    process.stdin.on('error', shutdown);
    process.stdin.resume();
  }

  process.stdout.write(`${JSON.stringify({ ready: true, issuer })}\n`);
}

main().catch((err) => fail(err.stack ?? String(err)));

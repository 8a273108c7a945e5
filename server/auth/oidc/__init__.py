"""Sign in with an identity provider: OpenID Connect, or plain OAuth 2 (issue 17).

``client`` speaks to the providers over HTTP (aiohttp) with Authlib's OAuth 2 primitives
(PKCE, the authorization URL) and joserfc's JOSE (the ID token's signature and claims);
``service`` turns a verified person into a RizeOS account and session; ``routes`` are the
start and callback addresses a browser is sent through, and the identities API.
"""

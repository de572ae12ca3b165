"""浙政钉 (the province's government 专有钉钉): sign-in by scan and 免登, and the work-notice client.

- `signing`: the open platform's request signature (X-Hmac-Auth-* headers);
- `client`: gettoken.json (token cached until expiry), getuserinfo_bycode.json, workNotification;
- `backends`: the authentication backend (binding only: departments.identities.account_for_identity);
- `views`: scan sign-in, its callback, 免登, and the person's own binding after a password sign-in;
- `standin`: a small local HTTP server playing the platform, for tests and demos (docs/zwding.md).
"""

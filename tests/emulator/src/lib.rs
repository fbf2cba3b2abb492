//! Emulator of the AWS SSO portal and SSO OIDC APIs (placeholder until built).

//! Compiles only against the client generated from the shapes fixture (its `Things` tag),
//! which proves the relative path in .cargo/config.toml reached the build script.

fn main() {
    let client = openrouter_workspaces::Client::builder()
        .api_key("sk-or-check")
        .base_url("http://127.0.0.1:9/api/v1")
        .build()
        .expect("configuration is valid");
    // Built, not run against a server: the group exists only in that generated client.
    let _things = client.things();
}

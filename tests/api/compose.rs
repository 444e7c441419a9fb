//! docker-compose.yml cannot run here (no Docker engine), so its wiring is
//! checked by parsing it.

use serde_yaml::Value;

fn load() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docker-compose.yml"))
        .expect("docker-compose.yml");
    serde_yaml::from_str(&text).expect("valid YAML")
}

#[test]
fn compose_runs_postgres_and_the_api_wired_together() {
    let compose = load();
    let services = &compose["services"];
    let postgres = &services["postgres"];
    let api = &services["api"];
    assert!(
        postgres["image"]
            .as_str()
            .is_some_and(|i| i.starts_with("postgres:"))
    );
    assert!(postgres["healthcheck"]["test"].is_sequence());

    assert_eq!(api["build"]["dockerfile"].as_str(), Some("Dockerfile"));
    let url = api["environment"]["DATABASE_URL"]
        .as_str()
        .expect("DATABASE_URL");
    assert!(
        url.starts_with("postgres://") && url.contains("@postgres:5432/"),
        "{url}"
    );
    assert_eq!(
        api["depends_on"]["postgres"]["condition"].as_str(),
        Some("service_healthy")
    );
    let check = serde_yaml::to_string(&api["healthcheck"]["test"]).expect("healthcheck");
    assert!(check.contains("/readyz"), "{check}");
    assert_eq!(
        api["environment"]["BIND_ADDR"].as_str(),
        Some("0.0.0.0:8080")
    );
}

#[test]
fn the_signing_key_and_the_data_directory_outlive_the_container() {
    let compose = load();
    let api = &compose["services"]["api"];
    let data_dir = api["environment"]["PORTALEN_DATA_DIR"]
        .as_str()
        .expect("PORTALEN_DATA_DIR");
    assert!(
        api["environment"]["JWT_SIGNING_KEY"].is_null(),
        "the development key is made in the data directory"
    );
    let mounts: Vec<String> = api["volumes"]
        .as_sequence()
        .expect("volumes")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let mount = mounts
        .iter()
        .find(|m| m.ends_with(&format!(":{data_dir}")))
        .unwrap_or_else(|| panic!("{data_dir} is mounted: {mounts:?}"));
    let volume = mount.split(':').next().expect("a volume name");
    assert!(
        !volume.starts_with('.') && !volume.starts_with('/'),
        "a named volume, not a bind mount: {mount}"
    );
    assert!(
        compose["volumes"].get(volume).is_some(),
        "{volume} is declared"
    );
    let dockerfile = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Dockerfile"))
        .expect("Dockerfile");
    assert!(
        dockerfile.contains(&format!("install -d -o portalen -g portalen {data_dir}")),
        "the unprivileged user owns the data directory the volume starts from"
    );
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    assert!(readme.contains("docker compose exec api portalen token"));
    assert!(readme.contains("docker compose exec api portalen client create"));
}

#[test]
fn the_dockerfile_builds_the_portalen_binary() {
    let dockerfile = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Dockerfile"))
        .expect("Dockerfile");
    assert!(dockerfile.contains("cargo build --release"));
    assert!(dockerfile.contains("portalen"));
    assert!(
        dockerfile.contains("USER"),
        "the image should not run as root"
    );
}

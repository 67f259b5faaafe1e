//! PostgreSQL over TLS (issue 18, item 2): `sslmode=require` in DATABASE_URL connects over TCP
//! with TLS in use (PostgreSQL's own `pg_stat_ssl` says so); `sslmode=verify-full` refuses a
//! certificate nobody vouches for (Debian's self-signed "snakeoil" one) with an error that says
//! what to set, and accepts it once `sslrootcert` names it and the host matches; a certificate
//! that does not name the host is refused with an error that says so.
//!
//! Needs TEST_POSTGRES_URL (a superuser: a login role with a password is made for the TCP
//! connections and dropped after), a server with `ssl = on` (`.ci/run` turns it on) and a
//! password login over TCP to localhost (Debian's default pg_hba.conf). Without SSL on the server
//! it passes as skipped with a NOTE.
use server::store::Database;

/// `SELECT ssl …` of this connection's backend: 1 when the connection is encrypted.
const SSL_IN_USE: &str =
    "SELECT (CASE WHEN ssl THEN 1 ELSE 0 END)::BIGINT FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

#[tokio::test]
async fn sslmode_require_encrypts_and_verify_full_checks_the_certificate() {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        assert!(
            !std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1"),
            "REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set"
        );
        eprintln!("NOTE: PostgreSQL TLS not tested (set TEST_POSTGRES_URL to run it)");
        return;
    };
    let admin = sqlx::PgPool::connect(&admin_url).await.expect("connect to TEST_POSTGRES_URL");
    let ssl: String = sqlx::query_scalar("SHOW ssl").fetch_one(&admin).await.unwrap();
    if ssl != "on" {
        eprintln!("NOTE: PostgreSQL TLS not tested: the server has ssl = {ssl} (.ci/run turns it on)");
        return;
    }
    let port: String = sqlx::query_scalar("SHOW port").fetch_one(&admin).await.unwrap();
    let cert_file: String = sqlx::query_scalar("SHOW ssl_cert_file").fetch_one(&admin).await.unwrap();
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&admin).await.unwrap();

    // A role of this test process only, with a password for the TCP login; roles left by
    // earlier runs whose process is gone are dropped first.
    let stale: Vec<String> = sqlx::query_scalar("SELECT rolname FROM pg_roles WHERE rolname LIKE 'shop\\_tls\\_%'")
        .fetch_all(&admin)
        .await
        .unwrap();
    for name in stale {
        let pid = name.strip_prefix("shop_tls_").and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !std::path::Path::new(&format!("/proc/{p}")).exists()) {
            let _ = sqlx::query(&format!("DROP ROLE IF EXISTS {name}")).execute(&admin).await;
        }
    }
    let role = format!("shop_tls_{}", std::process::id());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let password = format!("tls-{nanos:x}");
    sqlx::query(&format!("DROP ROLE IF EXISTS {role}")).execute(&admin).await.unwrap();
    sqlx::query(&format!("CREATE ROLE {role} LOGIN PASSWORD '{password}'")).execute(&admin).await.unwrap();

    let url = |host: &str, params: &str| format!("postgres://{role}:{password}@{host}:{port}/{database}?{params}");
    let ssl_in_use = |url: String| async move {
        let db = Database::connect(&url, 1).await?;
        let used = db.scalar_raw(SSL_IN_USE).await;
        db.close().await;
        used
    };
    let require = ssl_in_use(url("localhost", "sslmode=require")).await;
    let disable = ssl_in_use(url("localhost", "sslmode=disable")).await;
    let untrusted = ssl_in_use(url("localhost", "sslmode=verify-full")).await;
    let missing_root = ssl_in_use(url("localhost", "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")).await;
    let cert_readable = std::fs::metadata(&cert_file).is_ok();
    let trusted = ssl_in_use(url("localhost", &format!("sslmode=verify-full&sslrootcert={cert_file}"))).await;
    let by_address = ssl_in_use(url("127.0.0.1", &format!("sslmode=verify-full&sslrootcert={cert_file}"))).await;
    let verify_ca = ssl_in_use(url("127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={cert_file}"))).await;
    sqlx::query(&format!("DROP ROLE IF EXISTS {role}")).execute(&admin).await.unwrap();
    admin.close().await;

    if let Err(e) = &require
        && (e.contains("pg_hba.conf") || e.contains("password authentication failed"))
    {
        panic!("no password login over TCP to localhost ({e}); allow one in pg_hba.conf (host … scram-sha-256)");
    }
    assert_eq!(require, Ok(1), "sslmode=require encrypts");
    assert_eq!(disable, Ok(0), "sslmode=disable does not");

    // Nobody vouches for a self-signed certificate: refused, and the error says what to set.
    let err = untrusted.expect_err("verify-full refuses a certificate no root vouches for");
    assert!(err.contains("sslrootcert=") && err.contains("sslmode=require"), "{err}");
    assert!(!err.contains(&password), "the password stays out of errors: {err}");
    let err = missing_root.expect_err("a missing sslrootcert file is refused");
    assert!(err.contains("/nonexistent/ca.pem") && err.contains("does not exist"), "{err}");

    // Named as the root, it is trusted, for the host it names.
    if !cert_readable {
        eprintln!("NOTE: verify-full with sslrootcert not tested: {cert_file} is not readable by this process");
        return;
    }
    match trusted {
        Ok(used) => assert_eq!(used, 1, "verify-full with sslrootcert encrypts"),
        Err(e) if e.contains("not valid for name") => {
            eprintln!("NOTE: {cert_file} does not name localhost, so verify-full is refused ({e})");
            assert!(e.contains("connect by a name the certificate lists"), "{e}");
        }
        Err(e) => panic!("verify-full with sslrootcert={cert_file}: {e}"),
    }
    // By an address the certificate does not list (Debian's snakeoil names the host only): refused,
    // saying so.
    match by_address {
        Err(e) => assert!(e.contains("connect by a name the certificate lists"), "{e}"),
        Ok(_) => eprintln!("NOTE: {cert_file} lists 127.0.0.1, so verify-full by address is accepted"),
    }
    // verify-ca should check the issuer only, so an address the certificate does not name would
    // do; sqlx 0.8.6 with rustls >= 0.23.24 checks the name as well (sqlx issue #3793, fixed
    // after 0.8.6): stricter, never looser. Either answer passes; the second is noted.
    match verify_ca {
        Ok(used) => assert_eq!(used, 1, "verify-ca with sslrootcert encrypts"),
        Err(e) if e.contains("not valid for name") => {
            eprintln!("NOTE: sslmode=verify-ca checked the host name too (sqlx issue #3793): {e}")
        }
        Err(e) => panic!("verify-ca with sslrootcert={cert_file}: {e}"),
    }
}

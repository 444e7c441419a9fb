//! The `portalen` binary: parses the command line and hands over to the library.

/// mimalloc: the request path allocates many small, short-lived objects
/// across threads, where it is markedly faster than the system allocator
/// (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match portalen_api::cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // Before logging is set up (bad configuration) this is the only
            // place the reason can go.
            eprintln!("portalen: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

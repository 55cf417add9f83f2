// mimalloc: the check and build pipelines allocate many small strings and trees; the
// system allocator spends a third of their time in malloc and free (see README, "Scale").
// `--features system-alloc` keeps the system allocator, for heap profilers.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(afc::cli::main());
}

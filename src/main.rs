// mimalloc: the check and build pipelines allocate many small strings and trees; the
// system allocator spends a third of their time in malloc and free (see README, "Scale").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(afc::cli::main());
}

fn main() {
    std::process::exit(afc::cli::main());
}

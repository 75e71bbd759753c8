// With `vars`, every `${Name}` placeholder needs a value: the error names the
// one without, at its line in the file as written.
asl_runtime::include_workflow!("./missing_var.json", vars = { OrdersTable = "orders" });

fn main() {}

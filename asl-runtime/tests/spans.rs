//! A compiled machine's tracing spans name each state's `State` variant
//! beside its name (`ChargeApproved?` is `State::ChargeApproved`).

use std::io::Write;
use std::sync::{Arc, Mutex};

asl_runtime::include_workflow!("../../statemachines/payment.json");

/// Everything the subscriber writes, kept.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn state_spans_carry_the_variant() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("asl=info")
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    let mocks = asl_runtime::MockConfig::from_json(include_str!("../../mocks/payment.json"))
        .unwrap()
        .test_case(None, Some("HappyPath"))
        .unwrap();
    let machine = payment::Machine::with_handler(mocks).configure(|e| e.clock(asl_runtime::VirtualClock::new()));
    let order = serde_json::json!({"orderId": "A-1", "amount": 5, "currency": "EUR", "card": "4111"});
    let execution = machine.run(order).await;
    assert_eq!(execution.status, asl_runtime::Status::Succeeded);
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains(r#"state{name=ChargeApproved? type="Choice" variant="ChargeApproved"}: asl: close"#),
        "{text}"
    );
    assert!(text.contains(r#"state{name=Init type="Task" variant="Init"}"#), "{text}");
}

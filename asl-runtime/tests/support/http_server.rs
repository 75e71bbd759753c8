//! A real HTTP server (hyper's, on a loopback port) for the tests of the
//! HTTP task handlers.

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{HeaderMap, Request, Response};
use std::sync::Arc;

/// What a request brought: its path, its headers and its body (each test
/// reads what it needs).
#[allow(dead_code)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Serves `answer` on a loopback port; returns `http://<address>`.
pub async fn serve(answer: impl Fn(Received) -> Response<String> + Send + Sync + 'static) -> String {
    let answer = Arc::new(answer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let answer = answer.clone();
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let answer = answer.clone();
                async move {
                    let path = request.uri().path().to_string();
                    let headers = request.headers().clone();
                    let body = request.into_body().collect().await?.to_bytes();
                    let response = answer(Received { path, headers, body });
                    Ok::<_, hyper::Error>(response.map(|b| Full::new(Bytes::from(b))))
                }
            });
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
            });
        }
    });
    format!("http://{address}")
}

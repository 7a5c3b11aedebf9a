//! How many password verifications per second the cores can do with our argon2id
//! parameters: the ceiling for login throughput. `cargo run --release -p api --example argon2_rate`
use std::time::Instant;

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let hash = api::accounts::auth::passwords::hash("Fahrrad-Lampe-Kaffee-Dortmund-7");
    let per_thread = 40;
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..per_thread {
                    api::accounts::auth::passwords::verify(&hash, "Fahrrad-Lampe-Kaffee-Dortmund-7");
                }
            });
        }
    });
    let verifications = f64::from(u32::try_from(threads * per_thread).unwrap_or(u32::MAX));
    let rate = verifications / started.elapsed().as_secs_f64();
    println!("argon2id verifications: {rate:.1}/s on {threads} threads");
}

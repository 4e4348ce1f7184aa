//! BPTT checked against finite differences, and the vanishing/exploding trends of the lab.

use llm_lens::model::numerics::linalg::spectral_norm;
use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::recurrent::lstm::{Lstm, lstm_gradient_profile};
use llm_lens::model::recurrent::rnn::{Activation, GradientLabConfig, Rnn, rnn_gradient_profile};
use ndarray::{Array2, Array3, Axis, array, s};

const EPS: f64 = 1e-6;

fn random3(shape: (usize, usize, usize), seed: u64) -> Array3<f64> {
    let mut rng = SplitMix64::new(seed);
    Array3::from_shape_fn(shape, |_| rng.normal())
}

fn random_readout(batch: usize, hidden: usize, seed: u64) -> Array2<f64> {
    let mut rng = SplitMix64::new(seed);
    Array2::from_shape_fn((batch, hidden), |_| rng.normal())
}

/// `L = Σ r ⊙ h_T`, so ∂L/∂h_T = r.
fn loss(h_last: ndarray::ArrayView2<f64>, r: &Array2<f64>) -> f64 {
    (&h_last * r).sum()
}

fn assert_close(analytic: f64, numeric: f64, what: &str) {
    let tol = 1e-6 + 1e-5 * numeric.abs().max(analytic.abs());
    assert!(
        (analytic - numeric).abs() <= tol,
        "{what}: analytic {analytic} vs numeric {numeric}"
    );
}

fn check_rnn(act: Activation, input: usize, hidden: usize, steps: usize, batch: usize, seed: u64) {
    let rnn = Rnn::new(input, hidden, act, 1.1, seed);
    let xs = random3((steps, batch, input), seed + 1);
    let r = random_readout(batch, hidden, seed + 2);
    let trace = rnn.forward(xs.view());
    let back = rnn.backward(&trace, r.view(), None);
    let f = |m: &Rnn| loss(m.forward(xs.view()).last_hidden(), &r);

    for ((i, j), g) in back.grads.w_h.indexed_iter() {
        let (mut p, mut m) = (rnn.clone(), rnn.clone());
        p.w_h[[i, j]] += EPS;
        m.w_h[[i, j]] -= EPS;
        assert_close(
            *g,
            (f(&p) - f(&m)) / (2.0 * EPS),
            &format!("{act} w_h[{i},{j}]"),
        );
    }
    for ((i, j), g) in back.grads.w_x.indexed_iter() {
        let (mut p, mut m) = (rnn.clone(), rnn.clone());
        p.w_x[[i, j]] += EPS;
        m.w_x[[i, j]] -= EPS;
        assert_close(
            *g,
            (f(&p) - f(&m)) / (2.0 * EPS),
            &format!("{act} w_x[{i},{j}]"),
        );
    }
    for (i, g) in back.grads.b.indexed_iter() {
        let (mut p, mut m) = (rnn.clone(), rnn.clone());
        p.b[i] += EPS;
        m.b[i] -= EPS;
        assert_close(*g, (f(&p) - f(&m)) / (2.0 * EPS), &format!("{act} b[{i}]"));
    }
    // ‖∂L/∂h_t‖: nudge the state after step t and rerun the rest of the sequence.
    for t in 0..steps {
        let h_t = trace.hidden.index_axis(Axis(0), t + 1).to_owned();
        let rest = xs.slice(s![t + 1.., .., ..]);
        let mut sq = 0.0;
        for idx in ndarray::indices(h_t.raw_dim()) {
            let (mut hp, mut hm) = (h_t.clone(), h_t.clone());
            hp[idx] += EPS;
            hm[idx] -= EPS;
            let lp = loss(rnn.forward_from(rest, hp.view()).last_hidden(), &r);
            let lm = loss(rnn.forward_from(rest, hm.view()).last_hidden(), &r);
            sq += ((lp - lm) / (2.0 * EPS)).powi(2);
        }
        assert_close(back.grad_norms[t], sq.sqrt(), &format!("{act} ‖∂L/∂h_{t}‖"));
    }
}

#[test]
fn rnn_bptt_matches_finite_differences_for_every_activation() {
    for (k, act) in Activation::ALL.into_iter().enumerate() {
        check_rnn(act, 2, 3, 5, 1, 10 + k as u64);
        check_rnn(act, 3, 6, 8, 2, 20 + k as u64);
    }
}

fn check_lstm(input: usize, hidden: usize, steps: usize, batch: usize, seed: u64) {
    let lstm = Lstm::new(input, hidden, 1.0, 0.5, seed);
    let xs = random3((steps, batch, input), seed + 1);
    let r = random_readout(batch, hidden, seed + 2);
    let trace = lstm.forward(xs.view());
    let back = lstm.backward(&trace, r.view(), None);
    let f = |m: &Lstm| loss(m.forward(xs.view()).last_hidden(), &r);
    for ((i, j), g) in back.grads.w_h.indexed_iter() {
        let (mut p, mut m) = (lstm.clone(), lstm.clone());
        p.w_h[[i, j]] += EPS;
        m.w_h[[i, j]] -= EPS;
        assert_close(
            *g,
            (f(&p) - f(&m)) / (2.0 * EPS),
            &format!("lstm w_h[{i},{j}]"),
        );
    }
    for ((i, j), g) in back.grads.w_x.indexed_iter() {
        let (mut p, mut m) = (lstm.clone(), lstm.clone());
        p.w_x[[i, j]] += EPS;
        m.w_x[[i, j]] -= EPS;
        assert_close(
            *g,
            (f(&p) - f(&m)) / (2.0 * EPS),
            &format!("lstm w_x[{i},{j}]"),
        );
    }
    for (i, g) in back.grads.b.indexed_iter() {
        let (mut p, mut m) = (lstm.clone(), lstm.clone());
        p.b[i] += EPS;
        m.b[i] -= EPS;
        assert_close(*g, (f(&p) - f(&m)) / (2.0 * EPS), &format!("lstm b[{i}]"));
    }
    // ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ (total derivatives): nudge one state and rerun the rest.
    for t in 0..steps {
        let h_t = trace.hidden.index_axis(Axis(0), t + 1).to_owned();
        let c_t = trace.cell.index_axis(Axis(0), t + 1).to_owned();
        let rest = xs.slice(s![t + 1.., .., ..]);
        let run = |h: &Array2<f64>, c: &Array2<f64>| {
            loss(
                lstm.forward_from(rest, h.view(), c.view()).last_hidden(),
                &r,
            )
        };
        let (mut sq_h, mut sq_c) = (0.0, 0.0);
        for idx in ndarray::indices(h_t.raw_dim()) {
            let (mut hp, mut hm) = (h_t.clone(), h_t.clone());
            hp[idx] += EPS;
            hm[idx] -= EPS;
            sq_h += ((run(&hp, &c_t) - run(&hm, &c_t)) / (2.0 * EPS)).powi(2);
            // c_t also feeds h_t = o ⊙ tanh(c_t): move both together for the total derivative.
            let o = trace.gates[[t, idx.0, 3 * hidden + idx.1]];
            let (mut cp, mut cm) = (c_t.clone(), c_t.clone());
            cp[idx] += EPS;
            cm[idx] -= EPS;
            let (mut hcp, mut hcm) = (h_t.clone(), h_t.clone());
            hcp[idx] = o * cp[idx].tanh();
            hcm[idx] = o * cm[idx].tanh();
            sq_c += ((run(&hcp, &cp) - run(&hcm, &cm)) / (2.0 * EPS)).powi(2);
        }
        assert_close(
            back.grad_norms[t],
            sq_h.sqrt(),
            &format!("lstm ‖∂L/∂h_{t}‖"),
        );
        assert_close(
            back.cell_grad_norms[t],
            sq_c.sqrt(),
            &format!("lstm ‖∂L/∂c_{t}‖"),
        );
    }
}

#[test]
fn lstm_bptt_matches_finite_differences() {
    check_lstm(2, 3, 5, 1, 41);
    check_lstm(3, 5, 7, 2, 42);
}

/// Least-squares slope of log10(norm) against the step index.
fn log_slope(norms: &[f64]) -> f64 {
    let n = norms.len() as f64;
    let ys: Vec<f64> = norms.iter().map(|v| v.log10()).collect();
    let mx = (n - 1.0) / 2.0;
    let my = ys.iter().sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        num += (i as f64 - mx) * (y - my);
        den += (i as f64 - mx).powi(2);
    }
    num / den
}

#[test]
fn rnn_tanh_small_weights_vanish_geometrically() {
    let cfg = GradientLabConfig {
        activation: Activation::Tanh,
        hidden: 32,
        steps: 60,
        scale: 0.5,
        seed: 3,
        ..Default::default()
    };
    let p = rnn_gradient_profile(&cfg).unwrap();
    // Every step back multiplies by at most ‖J_t‖ ≤ 0.5: the norm falls at least geometrically.
    for t in 1..cfg.steps {
        assert!(p.grad_norms[t - 1] <= p.jacobian_norms[t] * p.grad_norms[t] * (1.0 + 1e-6));
        assert!(
            p.jacobian_norms[t] <= 0.5 + 1e-9,
            "‖J‖ = {}",
            p.jacobian_norms[t]
        );
        assert!(p.grad_norms[t - 1] < p.grad_norms[t]);
    }
    // Straight line on a log plot, going up towards the loss: slope ≥ log10(1/0.5)·(a bit less).
    let slope = log_slope(&p.grad_norms);
    assert!(slope > 0.25, "log10 slope {slope}");
    assert!(p.grad_norms[0] < 1e-15 * p.grad_norms[59]);
}

#[test]
fn rnn_tanh_large_weights_explode() {
    let cfg = GradientLabConfig {
        activation: Activation::Tanh,
        hidden: 32,
        steps: 60,
        scale: 3.0,
        seed: 3,
        ..Default::default()
    };
    let p = rnn_gradient_profile(&cfg).unwrap();
    let slope = log_slope(&p.grad_norms);
    assert!(
        slope < -0.05,
        "log10 slope {slope}: gradient should grow going back in time"
    );
    assert!(
        p.grad_norms[0] > 1e3 * p.grad_norms[59],
        "{} vs {}",
        p.grad_norms[0],
        p.grad_norms[59]
    );
}

#[test]
fn rnn_scale_across_one_flips_vanishing_into_exploding() {
    let ratio = |act, scale| {
        let cfg = GradientLabConfig {
            activation: act,
            scale,
            steps: 100,
            input_scale: 0.05,
            seed: 1,
            ..Default::default()
        };
        let p = rnn_gradient_profile(&cfg).unwrap();
        p.grad_norms[0] / p.grad_norms[99]
    };
    // ReLU does not saturate, so the flip happens right at 1.
    assert!(ratio(Activation::Relu, 0.8) < 1e-3);
    assert!(ratio(Activation::Relu, 1.5) > 1e3);
    // tanh saturates once the state grows, which damps the explosion: it needs a larger scale.
    assert!(ratio(Activation::Tanh, 0.8) < 1e-3);
    assert!(ratio(Activation::Tanh, 2.0) > 1e3);
}

#[test]
fn rnn_clipping_bounds_every_norm() {
    let base = GradientLabConfig {
        activation: Activation::Relu,
        hidden: 16,
        steps: 60,
        scale: 1.5,
        seed: 4,
        ..Default::default()
    };
    let free = rnn_gradient_profile(&base).unwrap();
    assert!(free.grad_norms.iter().cloned().fold(0.0, f64::max) > 100.0);
    let clipped = rnn_gradient_profile(&GradientLabConfig {
        clip: Some(5.0),
        ..base.clone()
    })
    .unwrap();
    assert!(clipped.grad_norms.iter().all(|&g| g <= 5.0 * (1.0 + 1e-12)));
    assert!(
        clipped.grad_norms.iter().any(|&g| g > 4.99),
        "clipping should bind, not zero things"
    );
    // The LSTM clips the same way.
    let lstm_free = lstm_gradient_profile(&GradientLabConfig {
        scale: 4.0,
        ..base.clone()
    })
    .unwrap();
    let lstm_clip = lstm_gradient_profile(&GradientLabConfig {
        scale: 4.0,
        clip: Some(0.5),
        ..base
    })
    .unwrap();
    assert!(lstm_free.grad_norms.iter().any(|&g| g > 0.5));
    assert!(
        lstm_clip
            .grad_norms
            .iter()
            .all(|&g| g <= 0.5 * (1.0 + 1e-12))
    );
}

#[test]
fn lstm_gradient_survives_longer_than_rnn() {
    let cfg = GradientLabConfig {
        hidden: 16,
        steps: 60,
        scale: 0.9,
        seed: 5,
        forget_bias: 3.0,
        ..Default::default()
    };
    let rnn = rnn_gradient_profile(&cfg).unwrap();
    let lstm = lstm_gradient_profile(&cfg).unwrap();
    let kept = |p: &[f64]| p[10] / p[59];
    assert!(
        kept(&lstm.grad_norms) > 1e3 * kept(&rnn.grad_norms),
        "lstm {} rnn {}",
        kept(&lstm.grad_norms),
        kept(&rnn.grad_norms)
    );
    // A larger forget bias keeps more: the cell path's Jacobian is diag(f).
    let low = lstm_gradient_profile(&GradientLabConfig {
        forget_bias: -2.0,
        ..cfg
    })
    .unwrap();
    assert!(kept(&lstm.cell_grad_norms) > kept(&low.cell_grad_norms));
}

#[test]
fn spectral_norm_matches_closed_form() {
    // Singular values of [[a, b], [c, d]]: σ_max² = (S + sqrt(S² − 4 det²)) / 2 with S = Σ entries².
    let m = array![[1.0, 2.0], [-3.0, 0.5]];
    let sum_sq: f64 = m.iter().map(|x| x * x).sum();
    let det: f64 = 1.0 * 0.5 - 2.0 * -3.0;
    let expected = ((sum_sq + (sum_sq * sum_sq - 4.0 * det * det).sqrt()) / 2.0).sqrt();
    assert!((spectral_norm(m.view()) - expected).abs() < 1e-9);
}

#[test]
fn lab_rejects_bad_settings_with_messages() {
    let bad = GradientLabConfig {
        steps: 0,
        ..Default::default()
    };
    assert!(
        rnn_gradient_profile(&bad)
            .unwrap_err()
            .to_string()
            .contains("steps")
    );
    let bad = GradientLabConfig {
        scale: f64::NAN,
        ..Default::default()
    };
    assert!(
        lstm_gradient_profile(&bad)
            .unwrap_err()
            .to_string()
            .contains("scale")
    );
    let bad = GradientLabConfig {
        clip: Some(0.0),
        ..Default::default()
    };
    assert!(rnn_gradient_profile(&bad).is_err());
}

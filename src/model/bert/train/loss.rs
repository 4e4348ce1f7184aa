//! Softmax cross-entropy for the two pre-training objectives, with its gradient
//! w.r.t. the logits. The log-sum-exp is taken in f64: with a vocabulary of
//! thousands, an f32 sum of exponentials loses the digits the loss curve shows.

use ndarray::Array2;

/// Mean cross-entropy of each row of `logits` `(rows × classes)` against
/// `answers`, the number of rows whose best logit is the answer, and
/// `∂loss/∂logits = (softmax − onehot) / rows`. No rows give loss 0.
pub fn cross_entropy_rows(logits: &Array2<f32>, answers: &[usize]) -> (f64, usize, Array2<f32>) {
    let rows = answers.len().max(1) as f64;
    let mut grad = Array2::<f32>::zeros(logits.dim()); // (rows × classes)
    let mut loss = 0.0f64;
    let mut correct = 0;
    for ((row, mut g), &answer) in logits.rows().into_iter().zip(grad.rows_mut()).zip(answers) {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
        let sum: f64 = row.iter().map(|&v| (v as f64 - max).exp()).sum();
        let log_sum = sum.ln() + max;
        loss += log_sum - row[answer] as f64;
        // The first maximal logit counts as the prediction, as an argmax would.
        let best =
            row.iter().enumerate().fold(
                (0, f32::NEG_INFINITY),
                |b, (i, &v)| if v > b.1 { (i, v) } else { b },
            );
        correct += usize::from(best.0 == answer);
        for (gi, &v) in g.iter_mut().zip(row.iter()) {
            *gi = (((v as f64 - log_sum).exp()) / rows) as f32;
        }
        g[answer] -= (1.0 / rows) as f32;
    }
    (loss / rows, correct, grad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn uniform_logits_cost_ln_classes_and_the_gradient_is_p_minus_onehot() {
        let (loss, correct, g) = cross_entropy_rows(&array![[0.0f32, 0.0], [3.0, 1.0]], &[0, 0]);
        let second = (1.0 + (-2.0f64).exp()).ln();
        assert!((loss - (std::f64::consts::LN_2 + second) / 2.0).abs() < 1e-12);
        assert_eq!(correct, 2); // a tie counts the first class
        assert!((g[[0, 0]] + 0.25).abs() < 1e-7 && (g[[0, 1]] - 0.25).abs() < 1e-7);
        assert!((g.sum()).abs() < 1e-7);
        let (none, _, _) = cross_entropy_rows(&Array2::zeros((0, 3)), &[]);
        assert_eq!(none, 0.0);
    }
}

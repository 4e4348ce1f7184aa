//! The recurrent neuron of step 3 against a hand computation.

use llm_lens::model::recurrent::neuron::{NeuronLayer, NeuronParams, unroll, word_scalar};
use ndarray::array;

#[test]
fn rnn_neuron_unroll_matches_hand_computation() {
    let p = NeuronParams {
        w_x: 0.5,
        w_y: 0.8,
        b: 0.1,
    };
    let steps = unroll(&p, &[1.0, -1.0, 0.5], 0.0);
    // By hand: a0 = 0.5·1 + 0.8·0 + 0.1 = 0.6
    let y0 = 0.6f64.tanh(); // 0.537049...
    assert!((steps[0].pre_activation - 0.6).abs() < 1e-15);
    assert!((steps[0].y - 0.537_049_566_998_035_3).abs() < 1e-12);
    // a1 = 0.5·(−1) + 0.8·y0 + 0.1
    let a1 = -0.5 + 0.8 * y0 + 0.1;
    assert!((steps[1].input_term + 0.5).abs() < 1e-15);
    assert!((steps[1].recurrent_term - 0.8 * y0).abs() < 1e-15);
    assert!((steps[1].y - a1.tanh()).abs() < 1e-15);
    assert!((steps[1].pre_activation - 0.029_639_653_598_428_2).abs() < 1e-12);
    // a2 = 0.25 + 0.8·y1 + 0.1
    let a2 = 0.25 + 0.8 * a1.tanh() + 0.1;
    assert!((steps[2].y - a2.tanh()).abs() < 1e-15);
    assert_eq!(steps[2].y_prev, steps[1].y);
}

#[test]
fn rnn_neuron_layer_of_independent_neurons_equals_scalar_neurons() {
    let p = NeuronParams {
        w_x: 0.7,
        w_y: -0.4,
        b: 0.05,
    };
    let xs = vec![array![1.0, -2.0], array![0.3, 0.0], array![-1.0, 1.0]];
    let layer = NeuronLayer::independent(2, &p).unroll(&xs);
    for d in 0..2 {
        let column: Vec<f64> = xs.iter().map(|x| x[d]).collect();
        let scalar = unroll(&p, &column, 0.0);
        for t in 0..3 {
            assert!((layer[t].y[d] - scalar[t].y).abs() < 1e-15);
        }
    }
    // A fully connected layer mixes dimensions: unit 0 depends on input 1.
    let full = NeuronLayer::random(2, 3, 1.0, 1);
    let a = full.unroll(&[array![0.0, 1.0]]);
    let b = full.unroll(&[array![0.0, -1.0]]);
    assert!((a[0].y[0] - b[0].y[0]).abs() > 1e-6);
    assert_eq!(word_scalar("cinema"), word_scalar("cinema"));
    assert_ne!(word_scalar("cinema"), word_scalar("theatre"));
}

//! Numerical building blocks shared by every model, so each exists once: matrix
//! products, SIMD loops, `exp` and softmax, the seeded PRNG, linear algebra, the
//! range check of user-set numbers, and the training toolbox ([`nn`]).

pub mod fast_exp;
pub mod linalg;
pub mod matmul;
pub mod nn;
pub mod range;
pub mod rng;
pub mod simd;
pub mod skinny_matmul;
pub mod softmax;

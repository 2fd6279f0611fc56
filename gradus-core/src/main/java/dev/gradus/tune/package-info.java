/**
 * Hyperparameter search: a {@link dev.gradus.tune.SearchSpace} of network and training
 * settings, trials sampled at random from it, each reproducible from its seed, poor trials
 * stopped early by asynchronous successive halving ({@link dev.gradus.tune.Asha}), scored on a
 * held-out split or by K-fold cross-validation ({@link dev.gradus.tune.Tuner}), and the study
 * kept in a small JSON file so that an interrupted search resumes ({@link dev.gradus.tune.StudyFile}).
 * The floor above {@code model}: it fits models, nothing below imports it.
 */
package dev.gradus.tune;

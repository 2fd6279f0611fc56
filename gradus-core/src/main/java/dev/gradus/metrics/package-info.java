/**
 * Scores of predictions against known answers: accuracy, precision, recall, F1, confusion
 * matrix, log-loss and ROC AUC for classification; RMSE, MAE and R² for regression.
 */
package dev.gradus.metrics;

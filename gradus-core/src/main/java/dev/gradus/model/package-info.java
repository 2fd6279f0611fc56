/**
 * A trained model: the {@link dev.gradus.nn.Network} together with the
 * {@link dev.gradus.data.Preprocessing} fitted on its training rows and the loss it was trained
 * with — everything needed to predict from a raw table, saved and loaded as one model file.
 */
package dev.gradus.model;

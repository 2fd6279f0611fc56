/**
 * The model file: {@link dev.gradus.io.ModelFile} writes a {@link dev.gradus.nn.Network} and
 * its metadata as a standard safetensors file (tensors {@code layers.{m}.weight} and
 * {@code layers.{m}.bias}, float32) and reads it back bit-identically, validating every size
 * and offset before allocating; {@link dev.gradus.io.ModelFileException} names the file, byte
 * offset and field of any problem.
 *
 * <p>What a model's metadata means is one schema, the record tree
 * {@link dev.gradus.io.ModelMetadata} (loss, preprocessing, training record, version stamp),
 * written and read by one codec, {@link dev.gradus.io.MetadataCodec}, which also holds the one
 * format-version check of every Gradus file (model files, checkpoints, the {@code gradus.*}
 * entries of ONNX files).
 *
 * <p>{@link dev.gradus.io.CheckpointFile} stores a training
 * {@link dev.gradus.train.Checkpoint} (network, optimizer state as F32/F64/I64 tensors, the run's
 * record, optionally the model's metadata) in the same layout, read by the same safetensors
 * reader with the same checks.
 *
 * <p>Writes are atomic (temporary file, sync, rename). No Java serialization is involved.
 */
package dev.gradus.io;

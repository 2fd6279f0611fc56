/**
 * The model file: {@link dev.gradus.io.ModelFile} writes a {@link dev.gradus.nn.Network} and
 * its string metadata as a standard safetensors file (tensors {@code layers.{m}.weight} and
 * {@code layers.{m}.bias}, float32) and reads it back bit-identically, validating every size
 * and offset before allocating; {@link dev.gradus.io.ModelFileException} names the file, byte
 * offset and field of any problem.
 *
 * <p>{@link dev.gradus.io.CheckpointFile} stores a training
 * {@link dev.gradus.train.Checkpoint} (network, optimizer state as F32/F64/I64 tensors, the run's
 * record) in the same layout with the same checks.
 *
 * <p>Writes are atomic (temporary file, sync, rename). No Java serialization is involved.
 */
package dev.gradus.io;

/**
 * Test oracles for the engine: {@link dev.gradus.oracle.SeedFormulas}, the seed's section 2
 * written literally in {@code double} (selectors {@code Oᵢ}, {@code oⱼ}, one parameter and one
 * sample at a time), its own activation formulas ({@code Phi}), and the {@link
 * dev.gradus.oracle.Family} of small random networks that the gradient tests run on.
 */
package dev.gradus.oracle;

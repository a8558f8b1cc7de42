package io.cortex4j.model.spiking;

import java.util.ArrayList;
import java.util.List;

/**
 * The cortical microcircuit of Yang &amp; Li as cortex4j reconstructs it (specs/yangli.md §4.1,
 * Reading A; the paper's text was not available, so every choice here is ours): three cell types
 * and two types of synaptic connectivity, declared so that tests and users can check them.
 *
 * <ul>
 *   <li>Pyramidal cells P_ℓ carry the forward representation: soma (spikes), basal dendrite (forward
 *       input), apical dendrite (error input).
 *   <li>Inhibitory interneurons I_ℓ relay P_{ℓ−1} → P_ℓ with a sign flip, so the forward weight is
 *       W_ℓ = W^E_ℓ − W^I_ℓ with W^E, W^I ≥ 0 (Dale's law).
 *   <li>Error cells ε_ℓ hold the layer's error, as a pair of rectified populations ε⁺, ε⁻ (δ = ε⁺ − ε⁻).
 * </ul>
 *
 * <p>Each forward pathway has a reciprocal feedback partner of the same transmitter type onto the
 * apical dendrite below, of its own random positive strength R, so the feedback B_ℓ = R ⊙ sign(W_{ℓ+1})
 * on the support of W: sign-concordant feedback. The Hebbian rule at the synapses of P_ℓ's basal
 * dendrite multiplies the error relayed from the apical dendrite to the soma (relay (a) of §4.3)
 * with the presynaptic trace.
 */
public final class Microcircuit {
    private Microcircuit() {}

    /** The three cell types. */
    public enum CellType {
        PYRAMIDAL,
        INTERNEURON,
        ERROR
    }

    /** The two types of synaptic connectivity. */
    public enum Connectivity {
        EXCITATORY,
        INHIBITORY
    }

    /** Where a synapse sits on its postsynaptic cell. */
    public enum Compartment {
        SOMA,
        BASAL,
        APICAL
    }

    /**
     * One group of synapses of the circuit.
     *
     * @param name    the parameter or pathway it is, e.g. {@code layer2.W^E}
     * @param plastic whether the Hebbian rule changes it
     */
    public record Synapses(
            String name, CellType pre, CellType post, Compartment compartment, Connectivity type, boolean plastic) {}

    /** Every synapse group of a circuit of {@code layers} layers (the last one the output). */
    public static List<Synapses> synapses(int layers) {
        List<Synapses> out = new ArrayList<>();
        for (int l = 1; l <= layers; l++) {
            String k = "layer" + l + ".";
            CellType pre = CellType.PYRAMIDAL; // the input layer counts as pyramidal (sensory) cells
            out.add(new Synapses(k + "W^E", pre, CellType.PYRAMIDAL, Compartment.BASAL, Connectivity.EXCITATORY, true));
            out.add(new Synapses(
                    k + "relay", pre, CellType.INTERNEURON, Compartment.SOMA, Connectivity.EXCITATORY, false));
            out.add(new Synapses(
                    k + "W^I",
                    CellType.INTERNEURON,
                    CellType.PYRAMIDAL,
                    Compartment.BASAL,
                    Connectivity.INHIBITORY,
                    true));
            out.add(new Synapses(
                    k + "error", CellType.PYRAMIDAL, CellType.ERROR, Compartment.SOMA, Connectivity.EXCITATORY, false));
            if (l < layers) {
                String f = "layer" + l + ".feedback";
                out.add(new Synapses(
                        f + "^E",
                        CellType.ERROR,
                        CellType.PYRAMIDAL,
                        Compartment.APICAL,
                        Connectivity.EXCITATORY,
                        false));
                out.add(new Synapses(
                        f + "^I relay",
                        CellType.ERROR,
                        CellType.INTERNEURON,
                        Compartment.SOMA,
                        Connectivity.EXCITATORY,
                        false));
                out.add(new Synapses(
                        f + "^I",
                        CellType.INTERNEURON,
                        CellType.PYRAMIDAL,
                        Compartment.APICAL,
                        Connectivity.INHIBITORY,
                        false));
            }
        }
        return out;
    }
}

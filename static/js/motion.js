// Phase arithmetic of the stimulation, mirroring telehealth/stimulation.py (same formulas,
// checked against the same table, tests/vectors/motion.json).

export const CENTRE_PHASE = 0.5;

/** The target's phase at server time tMs. */
export function phaseAt(state, tMs) {
  const { t0_ms: t0, phase0 } = state.anchor;
  if (!state.running) return phase0;
  const phase = phase0 + (state.settings.speed_pps * (tMs - t0)) / 1000;
  return state.end_phase === null ? phase : Math.min(phase, state.end_phase);
}

/** Position along a straight path in -1..1: -1 at even phases, +1 at odd ones. */
export function sweep(phase, profile) {
  if (profile === "smooth") return -Math.cos(Math.PI * phase);
  let p = phase % 2;
  if (p < 0) p += 2;
  return 2 * (p <= 1 ? p : 2 - p) - 1;
}

/** Target position in -1..1 on both axes (x right, y down); writes into `out` (no allocation). */
export function position(phase, pattern, profile, out) {
  const u = sweep(phase, profile);
  const angle = Math.PI * phase;
  switch (pattern) {
    case "horizontal": out.x = u; out.y = 0; break;
    case "vertical": out.x = 0; out.y = u; break;
    case "diagonal_down": out.x = u; out.y = u; break;
    case "diagonal_up": out.x = u; out.y = -u; break;
    case "circle": out.x = -Math.cos(angle); out.y = Math.sin(angle); break;
    case "figure8": out.x = -Math.cos(angle); out.y = Math.sin(2 * angle) / 2; break;
    default: out.x = 0; out.y = 0;
  }
  return out;
}

/** Whole passes (edge to edge) completed in the current set, counted from its first edge. */
export function passesDone(state, tMs) {
  const start = state.set_start_phase;
  if (start === null || start === undefined) return 0;
  return Math.max(0, Math.floor(phaseAt(state, tMs) + 1e-9) - Math.ceil(start));
}

/** True while the target is moving (running and not yet at its planned end). */
export function isMoving(state, tMs) {
  return state.running && (state.end_phase === null || phaseAt(state, tMs) < state.end_phase);
}

/** Server time at which the target reaches whole phase k (an edge), given the state's anchor. */
export function edgeTimeMs(state, k) {
  const { t0_ms: t0, phase0 } = state.anchor;
  return t0 + ((k - phase0) * 1000) / state.settings.speed_pps;
}

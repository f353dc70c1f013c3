// The speed as a therapist reads it: passes per second, passes per minute, and Hz as full
// left-right cycles (the unit of the literature and of other products: 1 Hz is 2 passes/s).

/** "1.2 passes/s · 72 per minute · 0.6 Hz" for a speed in passes per second. */
export function speedText(pps) {
  const hundredths = Math.round(pps * 100); // the slider's values are whole hundredths
  const perMinute = Math.round((hundredths * 60) / 100); // 6 * hundredths is even: never a tie
  return `${decimal(hundredths * 10)} passes/s · ${perMinute} per minute · ${decimal(hundredths * 5)} Hz`;
}

/** A whole number of thousandths as a decimal without trailing zeros: 625 -> "0.625", 4000 -> "4". */
function decimal(thousandths) {
  const whole = Math.floor(thousandths / 1000);
  const fraction = String(thousandths % 1000).padStart(3, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** Place the marked bands (spans with data-low and data-high) under the slider `input`. */
export function placeSpeedBands(input, strip) {
  const min = Number(input.min);
  const span = Number(input.max) - min;
  for (const band of strip.querySelectorAll("[data-low]")) {
    band.style.setProperty("--from", String((Number(band.dataset.low) - min) / span));
    band.style.setProperty("--to", String((Number(band.dataset.high) - min) / span));
  }
}

/** Options of {@link forecastHolt}. Unset smoothing parameters are fitted by one-step SSE grid search. */
export interface HoltOptions {
  /** Steps ahead (default 14). */
  horizon?: number;
  /** Damped trend (default false). */
  damped?: boolean;
  alpha?: number;
  beta?: number;
  /** Damping factor in (0, 1]; only used when damped. */
  phi?: number;
  /** Prediction-interval coverage (default 0.8). */
  level?: number;
}

/** Point forecast with prediction interval, one entry per step ahead. */
export interface HoltForecast {
  point: number[];
  lower: number[];
  upper: number[];
  alpha: number;
  beta: number;
  phi: number;
  /** Residual standard deviation of the one-step fit. */
  sigma: number;
}

interface Fit {
  sse: number;
  level: number;
  trend: number;
  n: number;
}

function fitHolt(y: readonly number[], alpha: number, beta: number, phi: number): Fit {
  let level = y[0];
  let trend = y.length > 1 ? y[1] - y[0] : 0;
  let sse = 0;
  for (let t = 1; t < y.length; t++) {
    const predicted = level + phi * trend;
    const err = y[t] - predicted;
    sse += err * err;
    const nextLevel = predicted + alpha * err;
    trend = phi * trend + alpha * beta * err;
    level = nextLevel;
  }
  return { sse, level, trend, n: y.length - 1 };
}

function zFor(level: number): number {
  // Inverse normal CDF (Acklam's rational approximation) at (1 + level) / 2.
  const p = (1 + level) / 2;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  if (p > 0.97575) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

const GRID = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
const BETA_GRID = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const PHI_GRID = [0.8, 0.85, 0.9, 0.95, 0.98];

/**
 * Holt's linear (or damped) trend forecast in error-correction form, i.e. ETS(A,A,N) / ETS(A,Ad,N).
 * The prediction interval uses the model's h-step variance σ²·(1 + Σ_{j<h} (α + αβ·φ_j)²) with
 * φ_j = φ + … + φ^j, and σ from the one-step residuals. Throws on an empty series or a
 * smoothing parameter outside (0, 1].
 */
export function forecastHolt(series: readonly number[], opts: HoltOptions = {}): HoltForecast {
  if (series.length === 0) throw new Error('forecastHolt needs at least one observation');
  for (const [name, v] of [
    ['alpha', opts.alpha],
    ['beta', opts.beta],
    ['phi', opts.phi],
  ] as const) {
    if (v !== undefined && !(v > 0 && v <= 1)) throw new Error(`${name} must be in (0, 1]`);
  }
  const horizon = opts.horizon ?? 14;
  const damped = opts.damped ?? false;
  const alphas = opts.alpha !== undefined ? [opts.alpha] : GRID;
  const betas = opts.beta !== undefined ? [opts.beta] : BETA_GRID;
  const phis = !damped ? [1] : opts.phi !== undefined ? [opts.phi] : PHI_GRID;
  let best: (Fit & { alpha: number; beta: number; phi: number }) | null = null;
  for (const alpha of alphas)
    for (const beta of betas)
      for (const phi of phis) {
        const f = fitHolt(series, alpha, beta, phi);
        if (best === null || f.sse < best.sse - 1e-12) best = { ...f, alpha, beta, phi };
      }
  const b = best as Fit & { alpha: number; beta: number; phi: number };
  const sigma = b.n > 2 ? Math.sqrt(b.sse / (b.n - 2)) : b.n > 0 ? Math.sqrt(b.sse / b.n) : 0;
  const z = zFor(opts.level ?? 0.8);
  const point: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  let phiSum = 0;
  let varianceFactor = 1;
  for (let h = 1; h <= horizon; h++) {
    if (h > 1) {
      const cj = b.alpha + b.alpha * b.beta * phiSum; // phiSum = φ_{h-1}
      varianceFactor += cj * cj;
    }
    phiSum += b.phi ** h;
    const p = b.level + phiSum * b.trend;
    const half = z * sigma * Math.sqrt(varianceFactor);
    point.push(p);
    lower.push(p - half);
    upper.push(p + half);
  }
  return { point, lower, upper, alpha: b.alpha, beta: b.beta, phi: b.phi, sigma };
}

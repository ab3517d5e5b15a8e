import type { ControlStatus, Tone } from '../model/types.js';

/** Colours shared by the HTML and PDF renderers (chosen to stay distinguishable in greyscale print). */
export const STATUS_COLORS: Readonly<Record<ControlStatus, string>> = {
  satisfied: '#2e7d32',
  exception: '#c62828',
  gap: '#ef8f00',
  manual: '#3f6fb5',
  not_applicable: '#9e9e9e',
};

export const TONE_COLORS: Readonly<Record<Tone, string>> = {
  good: '#2e7d32',
  bad: '#c62828',
  warn: '#b26a00',
  info: '#3f6fb5',
  neutral: '#616161',
};

export const LINEAGE_FILLS: Readonly<Record<string, string>> = {
  Dataset: '#e3f2fd',
  'Processing job': '#ede7f6',
  'Training job': '#f3e5f5',
  Model: '#e8f5e9',
  'Model package': '#fff8e1',
  Endpoint: '#e0f2f1',
  Other: '#f5f5f5',
};

export const INK = '#1f2933';
export const MUTED = '#5f6b7a';
export const RULE = '#d0d7de';
export const ACCENT = '#1d3557';

/**
 * The vendor accounts the worker may connect to, as configured (config/env.ts). A connector refuses to start
 * without its own part, naming the settings to set.
 */
export interface VendorSettings {
  hubspot?: { baseUrl: string; accessToken?: string; erpIdProperty: string };
  shopify?: { baseUrl?: string; accessToken?: string; apiVersion: string };
  woocommerce?: { baseUrl?: string; consumerKey?: string; consumerSecret?: string };
  stripe?: { baseUrl: string; apiKey?: string };
}

/** The value of a required setting, or an error that names it. */
export function required<T>(value: T | undefined, setting: string, vendor: string): T {
  if (value === undefined || value === null || value === '') throw new Error(`${setting} is required to connect to ${vendor}`);
  return value;
}

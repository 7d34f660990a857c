import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** E.164, or null when the input holds no usable number. */
export function normalisePhone(raw: string | null, defaultCountry: string): string | null {
  if (!raw || raw.trim() === '') return null;
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultCountry.toUpperCase() as CountryCode);
  return parsed && parsed.isValid() ? parsed.number : null;
}

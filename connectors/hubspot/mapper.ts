import { z } from 'zod';
import { crmContactSchema, type CrmContact } from '../../domain/lead';

/** HubSpot's raw CRM objects, validated, and their mapping to our vendor-neutral CrmContact. Pure. */

export const DEFAULT_ERP_ID_PROPERTY = 'erp_customer_number';

/** Our field -> HubSpot's internal property name. */
const FIELD_PROPERTIES = {
  email: 'email',
  firstName: 'firstname',
  lastName: 'lastname',
  phone: 'phone',
  company: 'company',
  country: 'country',
  lifecycleStage: 'lifecyclestage',
} as const;
/** Read as a fallback when `phone` is empty: many contacts only have a mobile number. */
const MOBILE_PROPERTY = 'mobilephone';

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date');

export const hubspotObjectSchema = z.object({
  id: z.string().regex(/^\d+$/, 'must be a numeric id'),
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: isoDate,
  updatedAt: isoDate,
  archived: z.boolean().optional(),
});
export type HubspotObject = z.infer<typeof hubspotObjectSchema>;

export const hubspotPageSchema = z.object({
  results: z.array(hubspotObjectSchema),
  paging: z.object({ next: z.object({ after: z.string(), link: z.string().optional() }).optional() }).optional(),
});
export type HubspotPage = z.infer<typeof hubspotPageSchema>;

export class HubspotMappingError extends Error {
  override readonly name = 'HubspotMappingError';
  constructor(readonly field: string, detail: string) {
    super(`HubSpot object has an unexpected shape at ${field}: ${detail}`);
  }
}

/** Validates a raw answer; the error names the first offending field, e.g. `properties.email`. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new HubspotMappingError(issue?.path.map(String).join('.') || '(object)', issue?.message ?? 'invalid');
}

export const parseHubspotObject = (raw: unknown): HubspotObject => parseWith(hubspotObjectSchema, raw);

/** The properties to ask HubSpot for so that toCrmContact has everything it maps. */
export function contactProperties(erpIdProperty: string = DEFAULT_ERP_ID_PROPERTY): string[] {
  return [...new Set([...Object.values(FIELD_PROPERTIES), MOBILE_PROPERTY, erpIdProperty])];
}

/** HubSpot answers '' as well as null for "no value"; we only use null. */
const value = (props: Record<string, string | null>, name: string): string | null => {
  const v = props[name];
  return v === undefined || v === null || v.trim() === '' ? null : v;
};

export function toCrmContact(raw: unknown, erpIdProperty: string = DEFAULT_ERP_ID_PROPERTY): CrmContact {
  const object = parseHubspotObject(raw);
  const p = object.properties;
  return crmContactSchema.parse({
    id: object.id,
    email: value(p, FIELD_PROPERTIES.email),
    firstName: value(p, FIELD_PROPERTIES.firstName),
    lastName: value(p, FIELD_PROPERTIES.lastName),
    phone: value(p, FIELD_PROPERTIES.phone) ?? value(p, MOBILE_PROPERTY),
    company: value(p, FIELD_PROPERTIES.company),
    country: value(p, FIELD_PROPERTIES.country),
    lifecycleStage: value(p, FIELD_PROPERTIES.lifecycleStage),
    erpCustomerNumber: value(p, erpIdProperty),
    updatedAt: new Date(object.updatedAt).toISOString(),
  });
}

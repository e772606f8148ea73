// The setup Job's settings, from the environment the store chart gives it.
export interface Settings {
  adminEmail: string;
  adminPassword: string;
  storeName: string;
  currency: string;
  countries: string[];
}

export function readSettings(): Settings {
  const need = (name: string) => {
    const value = process.env[name]?.trim();
    if (!value) throw new Error(`${name} is not set: the setup Job gets it from the store chart`);
    return value;
  };
  const countries = need('STORE_COUNTRIES')
    .split(',')
    .map((code) => code.trim().toLowerCase())
    .filter(Boolean);
  if (countries.some((code) => !/^[a-z]{2}$/.test(code)))
    throw new Error(
      `STORE_COUNTRIES must be ISO 3166-1 alpha-2 codes separated by commas, not "${countries}"`,
    );
  const currency = need('STORE_CURRENCY').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency))
    throw new Error(`STORE_CURRENCY must be an ISO 4217 code, not "${currency}"`);
  return {
    adminEmail: need('MEDUSA_ADMIN_EMAIL'),
    adminPassword: need('MEDUSA_ADMIN_PASSWORD'),
    storeName: need('STORE_NAME'),
    currency,
    countries,
  };
}

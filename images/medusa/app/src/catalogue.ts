// What a new store sells until its merchant changes it, and the names the setup finds its own things by.
export const NAMES = {
  salesChannel: 'Default Sales Channel',
  region: 'Main region',
  location: 'Main warehouse',
  fulfillmentSet: 'Main warehouse delivery',
  shippingOption: 'Standard shipping',
  publishableKey: 'Storefront',
} as const;

export interface CatalogueProduct {
  title: string;
  handle: string;
  description: string;
  option: { title: string; values: string[] };
  /** In the store's currency, major units (Medusa v2 stores 12.5 as 12.5). */
  price: number;
}

export const CATALOGUE: CatalogueProduct[] = [
  {
    title: 'Fleet T-Shirt',
    handle: 'fleet-t-shirt',
    description: 'A soft cotton T-shirt with the fleet on its chest.',
    option: { title: 'Size', values: ['S', 'M', 'L', 'XL'] },
    price: 20,
  },
  {
    title: 'Harbour Hoodie',
    handle: 'harbour-hoodie',
    description: 'A warm hoodie for windy quays.',
    option: { title: 'Size', values: ['S', 'M', 'L'] },
    price: 45,
  },
  {
    title: 'Anchor Mug',
    handle: 'anchor-mug',
    description: 'A stoneware mug that holds a large coffee.',
    option: { title: 'Colour', values: ['White', 'Navy'] },
    price: 12.5,
  },
  {
    title: 'Chart Poster',
    handle: 'chart-poster',
    description: 'A nautical chart printed on heavy matte paper.',
    option: { title: 'Format', values: ['A3', 'A2'] },
    price: 18,
  },
];

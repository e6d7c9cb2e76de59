/**
 * Places near me: the browser's position, a nearest-first geo query with exact distances, and a
 * place added where you stand. Reporting the position also tells the backend which zones you
 * entered (their functions may write to your inbox).
 */
import type { GeoPoint } from '@lambase/client';
import { client } from '../backend.js';
import { busy, formValues, h, toast } from '../dom.js';
import { field } from './auth.js';

const RADII = [500, 2_000, 10_000, 50_000];
const CATEGORIES = ['cafe', 'park', 'museum', 'shop', 'other'];

export function placesView(signal: AbortSignal): HTMLElement {
  const places = client.collection('places');
  let here: GeoPoint | undefined;
  let radiusMeters = 2_000;
  const list = h('ul', { class: 'place-list', 'aria-label': 'Places nearby' });
  const where = h('p', { class: 'muted' }, 'Share your position to see what is around you.');

  const search = async () => {
    if (!here) return;
    const page = await places.query({ where: { location: { near: { ...here, radiusMeters } } }, limit: 20, signal });
    list.replaceChildren(
      ...(page.items.length
        ? page.items.map((place) =>
            h(
              'li',
              { class: 'place card' },
              h('div', { class: 'place-pin', 'aria-hidden': 'true' }, '◉'),
              h('div', { class: 'grow' }, h('h3', {}, place.name), h('small', { class: 'muted' }, place.category)),
              h('span', { class: 'distance' }, formatDistance(place.distanceMeters)),
            ),
          )
        : [h('li', { class: 'empty' }, `Nothing within ${formatDistance(radiusMeters)} yet. Add the first place below.`)]),
    );
  };

  const locate = h('button', { type: 'button', class: 'primary' }, 'Use my location');
  locate.addEventListener('click', () => void busy(locate, async () => {
    here = await position();
    const report = await client.me.setLocation(here);
    where.textContent = `You are at ${here.lat.toFixed(4)}, ${here.lng.toFixed(4)}.`;
    if (report.entered.length) toast(`You entered ${report.entered.length} zone${report.entered.length > 1 ? 's' : ''}.`);
    add.hidden = false;
    await search();
  }));

  const radius = h('select', { 'aria-label': 'Radius' }, RADII.map((meters) => h('option', { value: String(meters), selected: meters === radiusMeters }, `within ${formatDistance(meters)}`)));
  radius.addEventListener('change', () => {
    radiusMeters = Number(radius.value);
    void search();
  });

  const add = h(
    'form',
    { class: 'composer card', 'aria-label': 'Add a place here', hidden: true },
    h('h3', {}, 'Add a place where you stand'),
    h(
      'div',
      { class: 'row' },
      field('Name', h('input', { name: 'name', required: true, maxLength: 100, placeholder: 'Corner café' })),
      field('Category', h('select', { name: 'category' }, CATEGORIES.map((name) => h('option', { value: name }, name)))),
    ),
    h('div', { class: 'row end' }, h('button', { type: 'submit', class: 'primary' }, 'Add place')),
  );
  add.addEventListener('submit', (event) => {
    event.preventDefault();
    const { name = '', category = 'other' } = formValues(add);
    void busy(add, async () => {
      if (!here) return;
      await places.create({ name, category, location: here });
      add.reset();
      await search();
    });
  });

  return h('section', { class: 'page' }, h('header', { class: 'page-head' }, h('h2', {}, 'Places near me')), h('div', { class: 'card row between' }, where, h('div', { class: 'row' }, radius, locate)), list, add);
}

function position(): Promise<GeoPoint> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) return reject(new Error('This browser cannot tell where you are.'));
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => resolve({ lat: coords.latitude, lng: coords.longitude }),
      (error) => reject(new Error(error.code === error.PERMISSION_DENIED ? 'Location permission was refused.' : 'Your position is unavailable.')),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  });
}

function formatDistance(meters: number): string {
  return meters < 1000 ? `${Math.round(meters)} m` : `${(meters / 1000).toFixed(meters < 10_000 ? 1 : 0)} km`;
}

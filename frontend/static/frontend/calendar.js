// FullCalendar 6 on a house or room page, always on Maastricht's clock (Europe/Amsterdam), whatever the device's
// time zone (a phone abroad, a laptop on UTC).
//
// How: FullCalendar 6 without a named-zone plugin can only show the browser's zone or UTC. So the calendar runs in
// `timeZone: "UTC"` and every moment it sees is an Amsterdam wall time written as if it were UTC: agenda.json keeps
// sending ISO 8601 with its real offset (the API contract), `eventDataTransform` turns each start/end into the
// Amsterdam wall time (Intl, which knows the DST rules) as a naive string, and `now` is Amsterdam's wall clock too
// (today's column, the now line). FullCalendar then shows those wall times unchanged. Picking a slot reads the
// picked Date's UTC fields back: they are the Amsterdam wall clock the form expects.
//
// Navigation is announced in a live region (the view's title: "4 – 10 jan 2027"); the list view and the
// server-rendered table serve keyboard and screen-reader users.
(function () {
  "use strict";
  var WALL = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // An absolute moment (Date, or ISO string with offset) as Amsterdam's wall time "YYYY-MM-DDTHH:MM:SS" (naive).
  function amsterdamWall(moment) {
    var date = moment instanceof Date ? moment : new Date(moment);
    if (isNaN(date.getTime())) { return moment; }
    var parts = {};
    WALL.formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute + ":" + parts.second;
  }
  // A Date from the calendar (UTC fields = Amsterdam wall clock) as the form's date and time.
  function wallParts(date) {
    return { date: date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()),
             time: pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes()) };
  }
  function init() {
    document.querySelectorAll("[data-calendar]").forEach(function (el) {
      if (typeof FullCalendar === "undefined") { return; }
      var hint = el.querySelector(".zb-calendar__nojs"); if (hint) { hint.remove(); }
      var live = document.createElement("p");
      live.className = "zb-visually-hidden"; live.setAttribute("aria-live", "polite"); live.setAttribute("data-calendar-live", "");
      el.parentNode.insertBefore(live, el.nextSibling);
      var narrow = window.matchMedia("(max-width: 40rem)").matches;
      var bookable = el.hasAttribute("data-book-url") && document.getElementById("booking-form");
      var dateInput = document.getElementById("id_date");
      var first = true;
      var calendar = new FullCalendar.Calendar(el, {
        timeZone: "UTC",  // see the top of this file: the wall times shown are Amsterdam's
        now: function () { return amsterdamWall(new Date()); },
        eventDataTransform: function (event) {
          if (event.start) { event.start = amsterdamWall(event.start); }
          if (event.end) { event.end = amsterdamWall(event.end); }
          return event;
        },
        initialDate: (bookable && dateInput.value) ? dateInput.value : undefined,
        locale: el.getAttribute("data-locale") === "en" ? "en-gb" : "nl",
        initialView: narrow ? "listWeek" : "timeGridWeek",
        headerToolbar: { left: "prev,next today", center: "title", right: "timeGridWeek,dayGridMonth,listWeek" },
        buttonIcons: false,  // FullCalendar's icon spans have role="img" without a name (axe: role-img-alt)
        buttonText: { prev: el.getAttribute("data-label-prev"), next: el.getAttribute("data-label-next"), week: el.getAttribute("data-label-week"), month: el.getAttribute("data-label-month"),
          list: el.getAttribute("data-label-list"), today: el.getAttribute("data-label-today") },
        firstDay: 1, allDaySlot: false, slotMinTime: "07:00:00", slotMaxTime: "26:00:00", height: "auto",
        nowIndicator: true, eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
        slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
        events: el.getAttribute("data-events"),
        selectable: !!bookable, selectMirror: true,
        dayCellDidMount: function (info) {
          // A month cell is named by its day number only (aria-labelledby) but shows that day's events too, so
          // its name does not contain its visible text (axe: label-content-name-mismatch). Without the reference
          // the cell is named by what it shows: the date and the events.
          var cell = info.el.closest("[role=gridcell]") || info.el;
          if (cell.hasAttribute("aria-labelledby")) { cell.removeAttribute("aria-labelledby"); }
        },
        datesSet: function (info) {
          // The title FullCalendar shows ("4 – 10 jan. 2027"), said aloud after prev/next/today or a view change.
          if (first) { first = false; return; }
          live.textContent = info.view.title;
        },
        select: function (info) {
          var s = wallParts(info.start), e = wallParts(info.end);
          document.getElementById("id_date").value = s.date;
          document.getElementById("id_daypart").value = "";
          document.getElementById("id_start_time").value = s.time;
          document.getElementById("id_end_time").value = e.time;
          var form = document.getElementById("booking-form");
          form.dispatchEvent(new Event("change", { bubbles: true }));
          document.getElementById("id_date").focus();
        }
      });
      calendar.render();
      if (bookable) {
        // Typing a date in the form shows that week in the calendar.
        dateInput.addEventListener("change", function () { if (dateInput.value) { calendar.gotoDate(dateInput.value); } });
      }
    });
  }
  if (document.readyState !== "loading") { init(); } else { document.addEventListener("DOMContentLoaded", init); }
})();

// FullCalendar 6 on a house or room page. Events come as JSON with UTC offsets from agenda.json, so the times are
// right whatever the browser's time zone. Picking a slot in a room's calendar fills the booking form with the
// Amsterdam wall-clock date and times. The list view and the server-rendered table serve keyboard users.
(function () {
  "use strict";
  function amsterdam(date) {
    var parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
    var get = function (type) { return parts.find(function (p) { return p.type === type; }).value; };
    return { date: get("year") + "-" + get("month") + "-" + get("day"), time: get("hour") + ":" + get("minute") };
  }
  function init() {
    document.querySelectorAll("[data-calendar]").forEach(function (el) {
      if (typeof FullCalendar === "undefined") { return; }
      var hint = el.querySelector(".zb-calendar__nojs"); if (hint) { hint.remove(); }
      var narrow = window.matchMedia("(max-width: 40rem)").matches;
      var bookable = el.hasAttribute("data-book-url") && document.getElementById("booking-form");
      var dateInput = document.getElementById("id_date");
      var calendar = new FullCalendar.Calendar(el, {
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
        select: function (info) {
          var s = amsterdam(info.start), e = amsterdam(info.end);
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
